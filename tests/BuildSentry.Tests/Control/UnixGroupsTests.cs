using BuildSentry.Control;

namespace BuildSentry.Tests.Control;

public sealed class UnixGroupsTests
{
    [Fact]
    public void Group_names_resolve_from_the_group_file_and_numbers_stand_for_themselves()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "root:x:0:\nbroken line\nci:x:notanumber:\nbuildsentry:x:1234:alice,bob\n");

            Assert.Equal(1234u, UnixGroups.ResolveGid("buildsentry", file));
            Assert.Equal(0u, UnixGroups.ResolveGid("root", file));
            Assert.Equal(777u, UnixGroups.ResolveGid("777", file));
            Assert.Null(UnixGroups.ResolveGid("ci", file));
            Assert.Null(UnixGroups.ResolveGid("broken line", file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Supplementary_groups_come_from_the_groups_line_of_proc_status()
    {
        var status = "Name:\tbash\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nFDSize:\t256\nGroups:\t4 24 27 1234 \nNStgid:\t1\n";

        Assert.Equal([4u, 24u, 27u, 1234u], UnixGroups.ParseStatusGroups(status));
        Assert.Empty(UnixGroups.ParseStatusGroups("Groups:\t\n"));
        Assert.Empty(UnixGroups.ParseStatusGroups("Name:\tx\n"));
        Assert.Empty(UnixGroups.ParseStatusGroups("Groups:\t4 -1 99999999999\n"));
    }

    [Fact]
    public void The_own_process_groups_are_read_from_proc()
    {
        var expected = UnixGroups.ParseStatusGroups(File.ReadAllText("/proc/self/status"));

        Assert.Equal(expected, UnixGroups.ReadProcessGroups(Environment.ProcessId));
        Assert.Empty(UnixGroups.ReadProcessGroups(int.MaxValue));
    }
}
