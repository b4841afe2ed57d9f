namespace BuildSentry.Control;

/// <summary>Root may use the control socket; so may members of the configured group, by primary or supplementary gid.</summary>
internal sealed class PeerAuthorizer(string? groupName, uint? groupId)
{
    /// <summary>Null when the peer may proceed, otherwise the reason it may not.</summary>
    public string? Refusal(PeerCredentials peer, Func<IReadOnlyList<uint>> supplementaryGroups)
    {
        if (peer.Uid == 0)
        {
            return null;
        }

        if (groupId is not { } gid)
        {
            return $"uid {(uint)peer.Uid} is not root and no control group is configured";
        }

        if ((uint)peer.Gid == gid || supplementaryGroups().Contains(gid))
        {
            return null;
        }

        return $"uid {(uint)peer.Uid} (gid {(uint)peer.Gid}) is neither root nor a member of group '{groupName}' ({gid})";
    }
}
