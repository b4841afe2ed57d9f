using System.Runtime.InteropServices;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

internal static unsafe partial class Libbpf
{
    [LibraryImport(Library, EntryPoint = "bpf_program__attach_cgroup", SetLastError = true)]
    private static partial nint ProgramAttachCgroup(nint program, int cgroupFd);

    /// <summary>
    /// Attaches a cgroup program to the cgroup v2 directory <paramref name="cgroupPath"/> as a link (multi-attach: other
    /// programs there keep running). The link holds the cgroup, so the directory's fd is closed at once. 0 and
    /// <paramref name="error"/> (an errno) on failure.
    /// </summary>
    public static nint AttachCgroup(nint program, string cgroupPath, out int error)
    {
        var path = System.Text.Encoding.UTF8.GetBytes(cgroupPath + "\0");
        int fd;
        fixed (byte* p = path)
        {
            fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            error = errno;
            return 0;
        }

        var link = ProgramAttachCgroup(program, fd);
        error = link == 0 ? Marshal.GetLastPInvokeError() : 0;
        close(fd);
        return link;
    }
}
