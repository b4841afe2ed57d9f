namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>
/// Seeded mutations of valid inputs, the kinds that find parser bugs: bit flips, boundary byte
/// values, inserted and deleted runs, truncation, and length-like fields rewritten.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly ushort[] InterestingU16 = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x3FFF, 0x4000, 0x7FFF, 0x8000, 0xC000, 0xC00C, 0xFFFF];
    private readonly Random _random = new(seed);

    public Random Random => _random;

    public byte[] RandomBytes(int maxLength)
    {
        var bytes = new byte[_random.Next(maxLength + 1)];
        _random.NextBytes(bytes);
        return bytes;
    }

    public byte[] Mutate(byte[] input)
    {
        var data = new List<byte>(input);
        var rounds = 1 + _random.Next(4);
        for (var i = 0; i < rounds; i++)
        {
            MutateOnce(data);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data)
    {
        var at = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(8))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = (byte)InterestingU16[_random.Next(InterestingU16.Length)];
                break;
            case 2:
                data.InsertRange(at, RandomBytes(8));
                break;
            case 3 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(8)));
                break;
            case 4:
                data.RemoveRange(at, data.Count - at);
                break;
            case 5 when data.Count > 1:
                // Length fields are big-endian u16 (or the low half of u24): nudge or replace one.
                var at16 = Math.Min(at, data.Count - 2);
                var value = (data[at16] << 8) | data[at16 + 1];
                value = _random.Next(2) == 0 ? value + _random.Next(-2, 3) : InterestingU16[_random.Next(InterestingU16.Length)];
                data[at16] = (byte)(value >> 8);
                data[at16 + 1] = (byte)value;
                break;
            case 6 when data.Count > 0:
                var length = Math.Min(data.Count - at, 1 + _random.Next(32));
                data.InsertRange(_random.Next(data.Count + 1), data.GetRange(at, length));
                break;
            default:
                if (data.Count > 0)
                {
                    data[at] = (byte)_random.Next(256);
                }

                break;
        }
    }
}
