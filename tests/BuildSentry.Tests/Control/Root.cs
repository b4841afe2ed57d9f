namespace BuildSentry.Tests.Control;

internal static class Root
{
    /// <summary>Peer checks need a second uid and new groups: without root these tests fail, loudly, never skip.</summary>
    public static void Require()
    {
        if (Tmds.Linux.LibC.geteuid() != 0)
        {
            throw new InvalidOperationException(
                $"This test needs root (setpriv to another uid, groupadd); running as {Environment.UserName}.");
        }
    }
}
