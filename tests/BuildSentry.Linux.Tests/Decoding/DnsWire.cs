using System.Text;

namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>Writes DNS messages field by field, so tests can place compression pointers exactly.</summary>
internal sealed class DnsWire
{
    private readonly List<byte> _bytes = [];

    public int Offset => _bytes.Count;

    public static DnsWire Header(ushort id, ushort flags, ushort questions, ushort answers, ushort authority = 0, ushort additional = 0) =>
        new DnsWire().U16(id).U16(flags).U16(questions).U16(answers).U16(authority).U16(additional);

    public DnsWire U16(int value)
    {
        _bytes.Add((byte)(value >> 8));
        _bytes.Add((byte)value);
        return this;
    }

    public DnsWire U32(uint value) => U16((int)(value >> 16)).U16((int)(value & 0xFFFF));

    public DnsWire Bytes(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public DnsWire Label(string label) => Label(Encoding.ASCII.GetBytes(label));

    public DnsWire Label(byte[] label) => Bytes((byte)label.Length).Bytes(label);

    /// <summary>Labels of a dotted name, ending with the root label.</summary>
    public DnsWire Name(string dotted)
    {
        foreach (var label in dotted.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            Label(label);
        }

        return Bytes(0);
    }

    public DnsWire Pointer(int offset) => Bytes((byte)(0xC0 | (offset >> 8)), (byte)offset);

    public DnsWire Question(int type) => U16(type).U16(1);

    /// <summary>TYPE, CLASS IN, TTL and RDLENGTH of a record whose owner name was just written.</summary>
    public DnsWire RecordHeader(int type, uint ttl, int dataLength) => U16(type).U16(1).U32(ttl).U16(dataLength);

    public byte[] Build() => [.. _bytes];
}
