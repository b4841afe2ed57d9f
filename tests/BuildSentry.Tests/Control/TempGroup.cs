namespace BuildSentry.Tests.Control;

/// <summary>A Unix group made for one test with groupadd and removed with groupdel.</summary>
internal sealed class TempGroup : IDisposable
{
    private TempGroup(string name, uint gid)
    {
        Name = name;
        Gid = gid;
    }

    public string Name { get; }

    public uint Gid { get; }

    public static async Task<TempGroup> CreateAsync()
    {
        Root.Require();
        var name = "bstest" + Guid.NewGuid().ToString("N")[..8];
        var (exitCode, _, error) = await ChildProcess.RunAsync("/usr/sbin/groupadd", [name]);
        Assert.True(exitCode == 0, $"groupadd {name} failed: {error}");
        var (_, entry, _) = await ChildProcess.RunAsync("/usr/bin/getent", ["group", name]);
        return new TempGroup(name, uint.Parse(entry.Split(':')[2]));
    }

    public void Dispose() => ChildProcess.RunAsync("/usr/sbin/groupdel", [Name]).GetAwaiter().GetResult();
}
