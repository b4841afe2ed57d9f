namespace BuildSentry.Doctor;

public enum CheckStatus
{
    Ok,

    /// <summary>Works, but less well than it could; not needed for the configured mode.</summary>
    Warn,

    /// <summary>Something the configured mode needs does not work.</summary>
    Fail,
}
