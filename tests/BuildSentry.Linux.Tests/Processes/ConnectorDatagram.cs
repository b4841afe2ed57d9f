using System.Buffers.Binary;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Tests.Processes;

/// <summary>Builds proc connector datagrams byte by byte, the way the kernel lays them out.</summary>
internal static class ConnectorDatagram
{
    public static byte[] Message(ProcEventType what, uint cpu, uint seq, params int[] data)
    {
        var payload = ProcEventHeader.Size + ProcEventHeader.UnionSize;
        var total = NlMsgHdr.Size + CnMsg.Size + payload;
        var bytes = new byte[total];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], NlMsgHdr.TypeDone);
        var cn = span[NlMsgHdr.Size..];
        BinaryPrimitives.WriteUInt32LittleEndian(cn, CnMsg.IdxProc);
        BinaryPrimitives.WriteUInt32LittleEndian(cn[4..], CnMsg.ValProc);
        BinaryPrimitives.WriteUInt32LittleEndian(cn[8..], seq);
        BinaryPrimitives.WriteUInt16LittleEndian(cn[16..], (ushort)payload);
        var ev = cn[CnMsg.Size..];
        BinaryPrimitives.WriteUInt32LittleEndian(ev, (uint)what);
        BinaryPrimitives.WriteUInt32LittleEndian(ev[4..], cpu);
        BinaryPrimitives.WriteUInt64LittleEndian(ev[8..], 123_456_789);
        for (var i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(ev[(ProcEventHeader.Size + (4 * i))..], data[i]);
        }

        return bytes;
    }
}
