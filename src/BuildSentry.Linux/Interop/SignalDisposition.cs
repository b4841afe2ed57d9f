using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// A signal's disposition as the process inherited it. An ignored signal stays ignored across exec, and
/// .NET's <see cref="System.Runtime.InteropServices.PosixSignalRegistration"/> leaves an inherited SIG_IGN
/// in place: a daemon started from a shell that ignores SIGHUP (nohup, some CI runners and init scripts)
/// would never see its reload signal, and say nothing.
/// </summary>
public static unsafe class SignalDisposition
{
    /// <summary>Sets <paramref name="signal"/> back to SIG_DFL when it was inherited ignored; true when it was.</summary>
    public static bool UnignoreInherited(int signal)
    {
        sigaction current;
        if (LibC.sigaction(signal, null, &current) != 0 || current.sa_handler != SIG_IGN)
        {
            return false;
        }

        var defaults = new sigaction { sa_handler = SIG_DFL };
        return LibC.sigaction(signal, &defaults, null) == 0;
    }
}
