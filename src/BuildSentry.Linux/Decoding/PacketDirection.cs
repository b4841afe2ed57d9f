namespace BuildSentry.Linux.Decoding;

/// <summary>Which way a captured frame travelled, as the cooked (SLL) header tells it.</summary>
internal enum PacketDirection
{
    /// <summary>The link header carries no direction (Ethernet, raw IP).</summary>
    Unknown,

    /// <summary>Sent by this host (SLL packet type 4).</summary>
    Outgoing,

    /// <summary>Addressed to this host (SLL packet type 0).</summary>
    ToHost,

    /// <summary>Broadcast, multicast or addressed to another host.</summary>
    Other,
}
