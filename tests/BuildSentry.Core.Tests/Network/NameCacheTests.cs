using System.Net;
using BuildSentry.Core.Network;

namespace BuildSentry.Core.Tests.Network;

public sealed class NameCacheTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress Cdn = IPAddress.Parse("198.18.0.10");

    private readonly NameCache _cache = new(new NameCacheOptions { MinimumLifetime = TimeSpan.FromSeconds(10) });

    [Fact]
    public void Every_name_an_address_was_given_is_kept_not_just_the_last()
    {
        _cache.Record(1, Cdn, "registry.test", TimeSpan.FromMinutes(5), T0);
        _cache.Record(1, Cdn, "cdn.test", TimeSpan.FromMinutes(5), T0.AddSeconds(1));

        Assert.Equal(["registry.test", "cdn.test"], _cache.NamesFor(1, Cdn, T0.AddSeconds(2)));
    }

    [Fact]
    public void Names_expire_with_their_own_ttl_but_never_before_the_minimum_lifetime()
    {
        _cache.Record(1, Cdn, "short.test", TimeSpan.Zero, T0);
        _cache.Record(1, Cdn, "long.test", TimeSpan.FromMinutes(1), T0);

        Assert.Equal(["short.test", "long.test"], _cache.NamesFor(1, Cdn, T0.AddSeconds(9)));
        Assert.Equal(["long.test"], _cache.NamesFor(1, Cdn, T0.AddSeconds(11)));
        Assert.Empty(_cache.NamesFor(1, Cdn, T0.AddMinutes(2)));
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public void The_answers_recorded_since_a_time_are_the_newest_addresses_with_their_live_names_and_longest_time_left()
    {
        var old = IPAddress.Parse("198.18.0.20");
        var other = IPAddress.Parse("198.18.0.30");
        _cache.Record(1, old, "old.test", TimeSpan.FromMinutes(5), T0);
        _cache.Record(1, Cdn, "short.test", TimeSpan.FromSeconds(20), T0.AddSeconds(10));
        _cache.Record(2, other, "other.test", TimeSpan.FromMinutes(1), T0.AddSeconds(11));
        _cache.Record(1, Cdn, "long.test", TimeSpan.FromMinutes(1), T0.AddSeconds(12));

        var recent = _cache.RecordedSince(T0.AddSeconds(10), T0.AddSeconds(15));

        Assert.Equal([Cdn, other], recent.Select(r => r.Address));
        Assert.Equal(["short.test", "long.test"], recent[0].Names);
        Assert.Equal(TimeSpan.FromSeconds(57), recent[0].Remaining);
        // A name past its TTL is no longer given; an address with none left is left out.
        Assert.Equal(["long.test"], _cache.RecordedSince(T0.AddSeconds(10), T0.AddSeconds(31))[0].Names);
        Assert.Empty(_cache.RecordedSince(T0.AddSeconds(13), T0.AddSeconds(15)));
    }

    [Fact]
    public void Namespaces_do_not_share_answers()
    {
        _cache.Record(1, Cdn, "registry.test", TimeSpan.FromMinutes(5), T0);

        Assert.Empty(_cache.NamesFor(2, Cdn, T0));
    }

    [Fact]
    public void A_containers_namespace_without_answers_of_its_own_is_named_by_the_hosts_but_not_the_other_way_round()
    {
        var cache = new NameCache(new NameCacheOptions { HostNamespace = 1 });
        cache.Record(1, Cdn, "registry.test", TimeSpan.FromMinutes(5), T0);
        cache.Record(3, Cdn, "own.test", TimeSpan.FromMinutes(5), T0);
        cache.Record(3, IPAddress.Parse("198.18.0.66"), "evil.test", TimeSpan.FromMinutes(5), T0);

        Assert.Equal(["registry.test"], cache.NamesFor(2, Cdn, T0));
        Assert.Equal(["own.test"], cache.NamesFor(3, Cdn, T0));
        Assert.Empty(cache.NamesFor(1, IPAddress.Parse("198.18.0.66"), T0));
    }

    [Fact]
    public void An_IPv4_mapped_IPv6_destination_finds_the_IPv4_answer()
    {
        _cache.Record(1, Cdn, "registry.test", TimeSpan.FromMinutes(5), T0);

        Assert.Equal(["registry.test"], _cache.NamesFor(1, IPAddress.Parse("::ffff:198.18.0.10"), T0));
    }

    [Fact]
    public void Memory_is_bounded_in_addresses_and_in_names_per_address()
    {
        var cache = new NameCache(new NameCacheOptions { MaxAddresses = 100, MaxNamesPerAddress = 4 });
        for (var i = 0; i < 10_000; i++)
        {
            cache.Record(1, new IPAddress(i), $"n{i}.test", TimeSpan.FromMinutes(5), T0);
            cache.Record(1, Cdn, $"alias{i}.test", TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(i), T0);
        }

        Assert.Equal(100, cache.Count);
        Assert.Equal(4, cache.NamesFor(1, Cdn, T0).Count);
        Assert.Contains("alias9999.test", cache.NamesFor(1, Cdn, T0));
        Assert.Empty(cache.NamesFor(1, new IPAddress(0), T0));
    }
}
