using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BuildSentry.Core.Profiles;

/// <summary>
/// An IPv4 or IPv6 network. IPv4-mapped IPv6 addresses (<c>::ffff:10.0.0.1</c>) are treated as the
/// IPv4 address they carry, both in rules and in observations, because dual-stack sockets report them.
/// </summary>
public sealed class CidrBlock
{
    private readonly UInt128 _network;
    private readonly UInt128 _mask;

    private CidrBlock(AddressFamily family, UInt128 network, int prefixLength)
    {
        Family = family;
        PrefixLength = prefixLength;
        var bits = family == AddressFamily.InterNetwork ? 32 : 128;
        _mask = prefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (bits - prefixLength);
        if (bits == 32)
        {
            _mask &= uint.MaxValue;
        }

        _network = network & _mask;
    }

    public AddressFamily Family { get; }

    public int PrefixLength { get; }

    public bool Contains(IPAddress address)
    {
        var canonical = Canonical(address);
        return Contains(canonical.AddressFamily, ToNumber(canonical));
    }

    /// <summary>For callers testing one canonical address against many blocks: convert it once.</summary>
    internal bool Contains(AddressFamily family, UInt128 number) => family == Family && (number & _mask) == _network;

    /// <summary>The block's first address.</summary>
    public IPAddress Network => FromNumber(Family, _network);

    /// <summary>Whether every address of <paramref name="other"/> is in this block.</summary>
    public bool Covers(CidrBlock other) => other.Family == Family && other.PrefixLength >= PrefixLength && Contains(other.Family, other._network);

    public override string ToString() => $"{FromNumber(Family, _network)}/{PrefixLength}";

    /// <summary>Parses <c>10.0.0.0/8</c>, <c>2001:db8::/32</c> or a single address (a /32 or /128).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out CidrBlock? block, out string error, out string? hint)
    {
        block = null;
        hint = "write an address and a prefix length, e.g. 10.0.0.0/8 or 2001:db8::/32";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        var isV6 = addressText.Contains(':', StringComparison.Ordinal);
        if (addressText.Contains('%', StringComparison.Ordinal)
            || !(isV6 || HostPattern.IsDottedQuad(addressText))
            || !IPAddress.TryParse(addressText, out var address))
        {
            error = $"'{text}' is not a valid CIDR: '{addressText}' is not an IP address";
            return false;
        }

        var bits = isV6 ? 128 : 32;
        var prefix = bits;
        if (slash >= 0
            && !(int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) && prefix <= bits))
        {
            error = $"'{text}' is not a valid CIDR: the prefix length must be a number from 0 to {bits}";
            return false;
        }

        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            (address, prefix) = (address.MapToIPv4(), prefix - 96);
        }

        var candidate = new CidrBlock(address.AddressFamily, ToNumber(address), prefix);
        if (candidate._network != ToNumber(address))
        {
            error = $"'{text}' is not a valid CIDR: it has host bits set";
            hint = $"did you mean '{candidate}'?";
            return false;
        }

        if (prefix == 0)
        {
            error = $"'{text}' would allow every {(isV6 ? "IPv6" : "IPv4")} address";
            hint = "list the networks the build needs";
            return false;
        }

        block = candidate;
        error = "";
        return true;
    }

    internal static IPAddress Canonical(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    internal static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static IPAddress FromNumber(AddressFamily family, UInt128 number)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (family == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)number);
            return new IPAddress(bytes[..4]);
        }

        BinaryPrimitives.WriteUInt128BigEndian(bytes, number);
        return new IPAddress(bytes);
    }
}
