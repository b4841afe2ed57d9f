using System.Security.Cryptography;
using System.Text;
using BuildSentry.Testing;

namespace BuildSentry.EndToEnd.Packaging;

/// <summary>
/// A minimal Debian 12 tree made by debootstrap from this machine's apt mirror, with systemd and what the package
/// depends on, so that the package installs in it without a network. Made once and kept under /var/cache, keyed by
/// what went into it; containers boot it read-only with a tmpfs overlay, so it stays as made.
/// </summary>
public static class DebianTree
{
    private const string Suite = "bookworm";
    private const string DefaultMirror = "http://deb.debian.org/debian";
    private static readonly string[] Packages = ["systemd", "systemd-sysv", "dbus", "libpcap0.8", "libbpf1", "procps", "iptables"];
    private static readonly SemaphoreSlim Making = new(1, 1);

    public static async Task<string> EnsureAsync()
    {
        Requirements.Tool("debootstrap", "debootstrap");
        var mirror = Mirror();
        var recipe = $"{Suite} minbase {string.Join(',', Packages)} {mirror}";
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(recipe)))[..16];
        var tree = Path.Combine("/var/cache/buildsentry-tests", $"debian-{Suite}-{key}");
        await Making.WaitAsync();
        try
        {
            if (Directory.Exists(tree))
            {
                return tree;
            }

            // Made aside and renamed: a tree interrupted half-way is never taken for a finished one.
            var partial = $"{tree}.partial-{Environment.ProcessId}";
            Directory.CreateDirectory(Path.GetDirectoryName(tree)!);
            var made = await Command.RunAsync("debootstrap",
                ["--variant=minbase", $"--include={string.Join(',', Packages)}", Suite, partial, mirror], TimeSpan.FromMinutes(8));
            if (!made.Succeeded)
            {
                Directory.Delete(partial, recursive: true);
                throw new InvalidOperationException($"debootstrap {recipe} failed: {made}");
            }

            Directory.Move(partial, tree);
            return tree;
        }
        finally
        {
            Making.Release();
        }
    }

    /// <summary>The first Debian mirror apt is configured with (deb822 URIs: or a one-line deb entry).</summary>
    private static string Mirror()
    {
        var sources = Directory.Exists("/etc/apt/sources.list.d") ? Directory.GetFiles("/etc/apt/sources.list.d") : [];
        foreach (var file in sources.Order(StringComparer.Ordinal).Prepend("/etc/apt/sources.list").Where(File.Exists))
        {
            foreach (var line in File.ReadLines(file).Select(l => l.Trim()))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var uri = fields switch
                {
                    ["URIs:", var first, ..] => first,
                    ["deb", var first, var suite, ..] when suite == Suite => first,
                    _ => null,
                };
                if (uri is not null && uri.TrimEnd('/').EndsWith("/debian", StringComparison.Ordinal))
                {
                    return uri;
                }
            }
        }

        return DefaultMirror;
    }
}
