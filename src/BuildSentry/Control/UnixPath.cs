using System.Text;
using static Tmds.Linux.LibC;

namespace BuildSentry.Control;

/// <summary>The file-system questions .NET cannot answer: is this path a socket, whose group is it, and give it to this group.</summary>
internal static unsafe class UnixPath
{
    /// <summary>Null when nothing is at <paramref name="path"/>; otherwise whether it is a socket (symbolic links are not followed).</summary>
    public static bool? IsSocket(string path)
    {
        Tmds.Linux.stat buffer;
        int result;
        fixed (byte* p = NullTerminated(path))
        {
            result = lstat(p, &buffer);
        }

        if (result == 0)
        {
            return S_ISSOCK(buffer.st_mode);
        }

        return errno == ENOENT ? null : throw new IOException($"cannot inspect {path}: errno {errno}");
    }

    /// <summary>The group that owns <paramref name="path"/> (symbolic links are not followed); null when nothing is there.</summary>
    public static uint? GroupOf(string path)
    {
        Tmds.Linux.stat buffer;
        fixed (byte* p = NullTerminated(path))
        {
            return lstat(p, &buffer) == 0 ? buffer.st_gid : null;
        }
    }

    public static void SetGroup(string path, uint gid)
    {
        fixed (byte* p = NullTerminated(path))
        {
            if (lchown(p, uint.MaxValue, gid) != 0)
            {
                throw new IOException($"cannot give {path} to group {gid}: errno {errno}");
            }
        }
    }

    private static byte[] NullTerminated(string path) => Encoding.UTF8.GetBytes(path + "\0");
}
