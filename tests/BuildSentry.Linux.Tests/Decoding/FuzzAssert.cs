using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>What must hold for every parser result, whatever the input.</summary>
internal static class FuzzAssert
{
    public static void AssertPrintable(string? name)
    {
        Assert.NotNull(name);
        Assert.All(name, c => Assert.InRange(c, '!', '~'));
    }

    public static void AssertSane(SniffResult result)
    {
        if (result.Status == SniffStatus.Found)
        {
            AssertPrintable(result.Host);
        }
        else
        {
            Assert.Null(result.Host);
        }
    }

    public static void AssertSane(DnsMessage message)
    {
        foreach (var question in message.Questions)
        {
            AssertPrintable(question.Name);
        }

        foreach (var answer in message.Answers)
        {
            AssertPrintable(answer.Name);
            Assert.True(answer.Type == DnsWireType.Cname ? answer.Target is not null : answer.Address is not null);
        }
    }
}
