namespace BuildSentry.Linux.Tests.Support;

/// <summary>
/// The fields of a /proc stat line after the command name, counted from its LAST ')' (a command name may hold
/// spaces and parentheses): index 0 is field 3 (the state), so field N of proc(5) is index N - 3.
/// </summary>
internal static class StatFields
{
    public static string[] Of(string path)
    {
        var stat = File.ReadAllText(path);
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    /// <summary>Of a process (its main thread).</summary>
    public static string[] OfProcess(int pid) => Of($"/proc/{pid}/stat");

    /// <summary>Of one thread of this test process.</summary>
    public static string[] OfThread(int tid) => Of($"/proc/self/task/{tid}/stat");
}
