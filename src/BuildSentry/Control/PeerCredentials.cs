namespace BuildSentry.Control;

/// <summary>Who is on the other end of the control socket, as the kernel says (SO_PEERCRED), not as the client claims.</summary>
public sealed record PeerCredentials(int Pid, int Uid, int Gid);
