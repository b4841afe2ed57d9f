using System.Runtime.InteropServices;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Kernel;

/// <summary>
/// Decodes the records of buildsentry.bpf.c (struct header, struct exec_record; host byte order). Every length is
/// checked against the record: the argv bytes come from the process's memory, and a record that does not add up is
/// refused rather than read past.
/// </summary>
internal static class KernelRecordParser
{
    public const int HeaderBytes = 80;
    public const int ExecHeaderBytes = HeaderBytes + 8;
    private const int CommBytes = 16;
    private const uint FilenameCut = 1;
    private const uint ArgvUnread = 2;

    private static readonly ulong NsPerTick = (ulong)(1_000_000_000 / SysConf.ClockTicksPerSecond);

    public static bool TryParse(ReadOnlySpan<byte> data, out KernelRecord record)
    {
        record = default;
        if (data.Length < HeaderBytes)
        {
            return false;
        }

        var kind = (KernelRecordKind)Read<uint>(data, 0);
        var process = new ProcessKey(Read<int>(data, 44), ToTicks(Read<ulong>(data, 16)));
        var parent = new ProcessKey(Read<int>(data, 48), ToTicks(Read<ulong>(data, 24)));
        var (comm, filename, argv, flags) = ("", "", (IReadOnlyList<string>)[], 0u);
        switch (kind)
        {
            case KernelRecordKind.Fork or KernelRecordKind.Exit:
                break;
            case KernelRecordKind.Comm:
                comm = ProcText.Visible(CString(data.Slice(64, CommBytes)));
                break;
            case KernelRecordKind.Exec when data.Length >= ExecHeaderBytes:
                int filenameLength = Read<ushort>(data, HeaderBytes);
                int argvLength = Read<ushort>(data, HeaderBytes + 2);
                flags = Read<uint>(data, HeaderBytes + 4);
                if (filenameLength + argvLength > data.Length - ExecHeaderBytes || argvLength > CmdlineParser.MaxBytes + 1)
                {
                    return false;
                }

                var bytes = data[ExecHeaderBytes..];
                comm = ProcText.Visible(CString(data.Slice(64, CommBytes)));
                filename = ProcText.Decode(bytes[..filenameLength]);
                argv = CmdlineParser.Parse(bytes.Slice(filenameLength, argvLength));
                break;
            default:
                return false;
        }

        record = new KernelRecord(kind, Read<uint>(data, 4), Read<ulong>(data, 8), process, parent,
            Id(Read<uint>(data, 52)), Id(Read<uint>(data, 56)), Read<ulong>(data, 32), Read<int>(data, 60),
            comm, filename, argv, (flags & FilenameCut) != 0, (flags & ArgvUnread) != 0);
        return true;
    }

    /// <summary>Nanoseconds of CLOCK_BOOTTIME to /proc/PID/stat's start time: the kernel truncates the same way
    /// (nsec_to_clock_t).</summary>
    public static ulong ToTicks(ulong bootTimeNs) => bootTimeNs / NsPerTick;

    /// <summary>An id above int.MaxValue reads as -1 (unknown), as /proc's reader has it.</summary>
    private static int Id(uint id) => id > int.MaxValue ? -1 : (int)id;

    private static T Read<T>(ReadOnlySpan<byte> data, int offset) where T : unmanaged =>
        MemoryMarshal.Read<T>(data[offset..]);

    private static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> bytes) =>
        bytes.IndexOf((byte)0) is var end and >= 0 ? bytes[..end] : bytes;
}
