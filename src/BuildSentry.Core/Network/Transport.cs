namespace BuildSentry.Core.Network;

public enum Transport
{
    Tcp,
    Udp,
}
