namespace BuildSentry.Linux.Decoding;

internal enum IpTransport : byte
{
    None = 0,
    Tcp = 6,
    Udp = 17,
}
