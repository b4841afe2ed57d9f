using System.Text;
using BuildSentry.Linux.Syslog;

namespace BuildSentry.Linux.Tests.Syslog;

/// <summary>What a RELP receiver sends is parsed with every field bounded; anything else ends the session.</summary>
public sealed class RelpFrameReaderTests
{
    private const string Answers = "1 rsp 93 200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n"
                                   + "2 rsp 6 200 OK\n3 rsp 0\n0 serverclose 0\n";

    [Fact]
    public void Frames_are_read_whole_however_the_bytes_are_split()
    {
        var bytes = Encoding.ASCII.GetBytes(Answers);
        for (var chunk = 1; chunk <= bytes.Length; chunk++)
        {
            var reader = new RelpFrameReader();
            var frames = new List<RelpFrame>();
            for (var offset = 0; offset < bytes.Length; offset += chunk)
            {
                reader.Append(bytes.AsSpan(offset, Math.Min(chunk, bytes.Length - offset)));
                while (reader.TryRead(out var frame))
                {
                    frames.Add(frame);
                }
            }

            Assert.Equal([(1, "rsp", 200), (2, "rsp", 200), (3, "rsp", 0), (0, "serverclose", 0)],
                frames.Select(f => (f.Txnr, f.Command, f.Status)).ToList());
            Assert.StartsWith("200 OK\nrelp_version=0\n", frames[0].Data, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("x rsp 6 200 OK\n", "transaction number is not a number")]
    [InlineData("1234567890 rsp 6 200 OK\n", "more than 9 digits")]
    [InlineData("1 RSP 6 200 OK\n", "lower-case")]
    [InlineData("1 rsp\u001b[2J 6 200 OK\n", "lower-case")]
    [InlineData("1 rsp 99999999 x\n", "exceeds")]
    [InlineData("1 rsp 2 OK?\n", "does not end with LF")]
    [InlineData("1 rsp 6\n200 OK\n", "not followed by a space")]
    [InlineData("1  rsp 6 200 OK\n", "command is empty")]
    [InlineData("1 rsp -6 200 OK\n", "data length is not a number")]
    public void A_malformed_frame_is_refused_with_what_is_wrong(string text, string expected)
    {
        var reader = new RelpFrameReader();
        reader.Append(Encoding.ASCII.GetBytes(text));

        var error = Assert.Throws<InvalidDataException>(() => reader.TryRead(out _));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_yield_frames_or_a_refusal_and_nothing_else()
    {
        var random = new Random(20261129);
        var prefixes = new[] { "", "1 rsp ", "12 rsp 6 ", "0 serverclose 0" };
        for (var i = 0; i < 20_000; i++)
        {
            var noise = new byte[random.Next(0, 64)];
            random.NextBytes(noise);
            var reader = new RelpFrameReader();
            reader.Append([.. Encoding.ASCII.GetBytes(prefixes[i % prefixes.Length]), .. noise]);
            try
            {
                while (reader.TryRead(out var frame))
                {
                    Assert.InRange(frame.Txnr, 0, 999_999_999);
                    Assert.InRange(frame.Data.Length, 0, RelpFrameReader.MaxDataLength);
                }
            }
            catch (InvalidDataException)
            {
            }
        }
    }
}
