namespace BuildSentry.Core.Profiles;

public enum TransportProtocol
{
    Tcp,
    Udp,
}
