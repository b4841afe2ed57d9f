using System.Text;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Tests.Processes;

public sealed class ConnectorMessageParserTests
{
    [Fact]
    public void A_fork_names_the_child_and_its_parent()
    {
        var evt = Single(ConnectorDatagram.Message(ProcEventType.Fork, 1, 7, 100, 100, 200, 200));
        Assert.Equal((ProcEventType.Fork, 1u, 7u, 200, 200, 100, 100, 123_456_789UL),
            (evt.Type, evt.Cpu, evt.Seq, evt.Pid, evt.Tgid, evt.OtherPid, evt.OtherTgid, evt.TimestampNs));
        Assert.False(evt.IsThread);
    }

    [Fact]
    public void A_fork_whose_child_pid_differs_from_its_tgid_is_a_thread()
    {
        Assert.True(Single(ConnectorDatagram.Message(ProcEventType.Fork, 0, 0, 100, 100, 201, 200)).IsThread);
    }

    [Fact]
    public void Exit_comm_and_ptrace_events_carry_their_fields()
    {
        var exit = Single(ConnectorDatagram.Message(ProcEventType.Exit, 0, 0, 300, 300, 3 << 8, 0, 1, 1));
        Assert.Equal((300, 3 << 8, 1), (exit.Tgid, exit.ExitCode, exit.OtherTgid));

        var name = BitConverter.ToInt32(Encoding.ASCII.GetBytes("evil"));
        var comm = Single(ConnectorDatagram.Message(ProcEventType.Comm, 0, 0, 300, 300, name, 0, 0, 0));
        Assert.Equal("evil", comm.Comm);

        var ptrace = Single(ConnectorDatagram.Message(ProcEventType.Ptrace, 0, 0, 300, 300, 400, 400));
        Assert.Equal((300, 400), (ptrace.Tgid, ptrace.OtherTgid));
    }

    [Fact]
    public void Several_messages_in_one_datagram_are_all_read()
    {
        var datagram = ConnectorDatagram.Message(ProcEventType.Exec, 0, 1, 5, 5)
            .Concat(ConnectorDatagram.Message(ProcEventType.Exec, 1, 2, 6, 6)).ToArray();
        var parser = new ConnectorMessageParser(datagram);
        Assert.True(parser.TryRead(out var first));
        Assert.True(parser.TryRead(out var second));
        Assert.False(parser.TryRead(out _));
        Assert.Equal((5, 6), (first.Tgid, second.Tgid));
    }

    [Fact]
    public void A_message_from_another_connector_or_a_truncated_one_yields_no_event()
    {
        var other = ConnectorDatagram.Message(ProcEventType.Exec, 0, 1, 5, 5);
        other[NlMsgHdr.Size] = 2;
        Assert.False(new ConnectorMessageParser(other).TryRead(out _));

        var whole = ConnectorDatagram.Message(ProcEventType.Fork, 0, 1, 5, 5, 6, 6);
        for (var length = 0; length < whole.Length; length++)
        {
            var parser = new ConnectorMessageParser(whole.AsSpan(0, length));
            Assert.False(parser.TryRead(out _));
        }
    }

    [Fact]
    public void Random_and_mutated_bytes_never_crash_the_parser()
    {
        var random = new Random(20261129);
        var valid = ConnectorDatagram.Message(ProcEventType.Comm, 0, 1, 5, 5, 0x41414141, 0x41414141, 0x41414141, 0x41414141);
        var buffer = new byte[512];
        for (var i = 0; i < 200_000; i++)
        {
            var length = random.Next(buffer.Length);
            if (i % 2 == 0)
            {
                random.NextBytes(buffer.AsSpan(0, length));
            }
            else
            {
                length = valid.Length;
                valid.CopyTo(buffer, 0);
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    buffer[random.Next(length)] = (byte)random.Next(256);
                }
            }

            var parser = new ConnectorMessageParser(buffer.AsSpan(0, length));
            for (var reads = 0; parser.TryRead(out var evt); reads++)
            {
                Assert.True(reads < length / NlMsgHdr.Size + 1);
                Assert.True(evt.Comm is null || evt.Comm.Length <= ProcEventHeader.CommLength);
            }
        }
    }

    private static ConnectorEvent Single(byte[] datagram)
    {
        var parser = new ConnectorMessageParser(datagram);
        Assert.True(parser.TryRead(out var evt));
        Assert.False(parser.TryRead(out _));
        return evt;
    }
}
