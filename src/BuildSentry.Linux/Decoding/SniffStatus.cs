namespace BuildSentry.Linux.Decoding;

internal enum SniffStatus
{
    /// <summary>The bytes so far are a valid beginning; feed the next segment.</summary>
    NeedMore,

    /// <summary>The host name was found.</summary>
    Found,

    /// <summary>The message is complete and valid but names no host (no SNI, no Host header).</summary>
    NotFound,

    /// <summary>The stream does not start like this protocol at all.</summary>
    NotThisProtocol,

    /// <summary>It started like this protocol, then broke a length or syntax rule, or outgrew the bound.</summary>
    Malformed,
}
