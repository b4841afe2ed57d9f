using System.Runtime.InteropServices;
using System.Text;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Processes;

/// <summary>
/// Decodes the netlink messages of one datagram from the proc connector. Every length is checked
/// against the bytes actually received: a garbled or forged datagram yields fewer events, never a crash.
/// </summary>
internal ref struct ConnectorMessageParser(ReadOnlySpan<byte> datagram)
{
    private ReadOnlySpan<byte> _remaining = datagram;

    public bool TryRead(out ConnectorEvent result)
    {
        while (_remaining.Length >= NlMsgHdr.Size)
        {
            var length = MemoryMarshal.Read<uint>(_remaining);
            var type = MemoryMarshal.Read<ushort>(_remaining[4..]);
            if (length < NlMsgHdr.Size || length > (uint)_remaining.Length)
            {
                break;
            }

            var message = _remaining[NlMsgHdr.Size..(int)length];
            var next = NlMsgHdr.Align((int)length);
            _remaining = next >= _remaining.Length ? default : _remaining[next..];
            if (type == NlMsgHdr.TypeDone && TryParseConnector(message, out result))
            {
                return true;
            }
        }

        _remaining = default;
        result = default;
        return false;
    }

    private static bool TryParseConnector(ReadOnlySpan<byte> message, out ConnectorEvent result)
    {
        result = default;
        if (message.Length < CnMsg.Size)
        {
            return false;
        }

        var cn = MemoryMarshal.Read<CnMsg>(message);
        var payload = message[CnMsg.Size..];
        if (cn.Idx != CnMsg.IdxProc || cn.Val != CnMsg.ValProc || cn.Len > payload.Length
            || cn.Len < ProcEventHeader.Size)
        {
            return false;
        }

        payload = payload[..cn.Len];
        var header = MemoryMarshal.Read<ProcEventHeader>(payload);
        var data = payload[ProcEventHeader.Size..];
        var evt = new ConnectorEvent(header.What, header.Cpu, cn.Seq, header.TimestampNs, 0, 0, 0, 0, 0, null);
        result = header.What switch
        {
            ProcEventType.Fork when data.Length >= 16 =>
                evt with { OtherPid = Int(data, 0), OtherTgid = Int(data, 4), Pid = Int(data, 8), Tgid = Int(data, 12) },
            ProcEventType.Exec when data.Length >= 8 => evt with { Pid = Int(data, 0), Tgid = Int(data, 4) },
            ProcEventType.Exit when data.Length >= 24 => evt with
            {
                Pid = Int(data, 0), Tgid = Int(data, 4), ExitCode = Int(data, 8),
                OtherPid = Int(data, 16), OtherTgid = Int(data, 20),
            },
            ProcEventType.Exit when data.Length >= 12 =>
                evt with { Pid = Int(data, 0), Tgid = Int(data, 4), ExitCode = Int(data, 8) },
            ProcEventType.Comm when data.Length >= 8 + ProcEventHeader.CommLength => evt with
            {
                Pid = Int(data, 0), Tgid = Int(data, 4), Comm = Comm(data.Slice(8, ProcEventHeader.CommLength)),
            },
            ProcEventType.Ptrace when data.Length >= 16 => evt with
            {
                Pid = Int(data, 0), Tgid = Int(data, 4), OtherPid = Int(data, 8), OtherTgid = Int(data, 12),
            },
            ProcEventType.Fork or ProcEventType.Exec or ProcEventType.Exit or ProcEventType.Comm
                or ProcEventType.Ptrace => evt with { Type = ProcEventType.None },
            _ => evt,
        };
        return true;
    }

    private static int Int(ReadOnlySpan<byte> data, int offset) => MemoryMarshal.Read<int>(data[offset..]);

    private static string Comm(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
