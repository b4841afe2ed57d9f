namespace BuildSentry.Doctor;

/// <summary>One line of <c>buildsentry doctor</c>: what was checked, what was found and, unless it is fine, what to do.</summary>
public sealed record DoctorCheck(string Name, CheckStatus Status, string Detail, string? Fix = null)
{
    public static DoctorCheck Ok(string name, string detail) => new(name, CheckStatus.Ok, detail);

    public static DoctorCheck Warn(string name, string detail, string fix) => new(name, CheckStatus.Warn, detail, fix);

    public static DoctorCheck Fail(string name, string detail, string fix) => new(name, CheckStatus.Fail, detail, fix);

    /// <summary>A failure where the configuration needs it, otherwise a warning.</summary>
    public static DoctorCheck Needed(bool needed, string name, string detail, string fix) =>
        new(name, needed ? CheckStatus.Fail : CheckStatus.Warn, detail, fix);
}
