namespace BuildSentry.Linux.Decoding;

/// <summary>
/// The parts of a DNS message the sensor uses. <paramref name="IsComplete"/> is false when the
/// answer section broke off (truncated or malformed): the answers before the break are kept.
/// </summary>
internal sealed record DnsMessage(
    ushort Id,
    bool IsResponse,
    bool IsTruncated,
    byte ResponseCode,
    IReadOnlyList<DnsQuestion> Questions,
    IReadOnlyList<DnsAnswer> Answers,
    bool IsComplete);
