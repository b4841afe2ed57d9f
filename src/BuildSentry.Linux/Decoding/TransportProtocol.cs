namespace BuildSentry.Linux.Decoding;

internal enum TransportProtocol : byte
{
    None = 0,
    Tcp = 6,
    Udp = 17,
}
