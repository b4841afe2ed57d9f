namespace BuildSentry.Configuration;

/// <summary>
/// Work a job hands to dockerd: the daemon follows Docker's container events on its API socket and makes the
/// containers a job asks for members of that job. Where no socket exists, it only checks for one now and then.
/// </summary>
public sealed class DockerSection
{
    /// <summary>Docker's API socket; empty turns the watch off.</summary>
    public string Socket { get; set; } = "/var/run/docker.sock";
}
