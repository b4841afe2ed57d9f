using BuildSentry.Linux.Kernel;

namespace BuildSentry.Linux.Tests.Kernel;

public sealed class KernelRecordParserTests
{
    [Fact]
    public void An_exec_record_whose_lengths_overrun_the_record_is_refused()
    {
        var record = ExecRecord(filenameLength: 9, argvLength: 5, payload: "/bin/truea\0b\0"u8.ToArray());
        Assert.False(KernelRecordParser.TryParse(record, out _));
    }

    [Fact]
    public void An_exec_record_that_adds_up_decodes_its_filename_and_argv()
    {
        var record = ExecRecord(filenameLength: 9, argvLength: 4, payload: "/bin/truea\0b\0"u8.ToArray());
        Assert.True(KernelRecordParser.TryParse(record, out var parsed));
        Assert.Equal(("/bin/true", KernelRecordKind.Exec), (parsed.Filename, parsed.Kind));
        Assert.Equal(["a", "b"], parsed.Argv);
    }

    [Fact]
    public void Random_bytes_never_make_the_parser_throw_or_read_past_the_record()
    {
        var random = new Random(15);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4)
            {
                bytes[0] = (byte)random.Next(0, 5);
                bytes[1] = bytes[2] = bytes[3] = 0;
            }

            KernelRecordParser.TryParse(bytes, out _);
        }
    }

    private static byte[] ExecRecord(ushort filenameLength, ushort argvLength, byte[] payload)
    {
        var record = new byte[KernelRecordParser.ExecHeaderBytes + payload.Length];
        BitConverter.TryWriteBytes(record.AsSpan(0), (uint)KernelRecordKind.Exec);
        BitConverter.TryWriteBytes(record.AsSpan(KernelRecordParser.HeaderBytes), filenameLength);
        BitConverter.TryWriteBytes(record.AsSpan(KernelRecordParser.HeaderBytes + 2), argvLength);
        payload.CopyTo(record, KernelRecordParser.ExecHeaderBytes);
        return record;
    }
}
