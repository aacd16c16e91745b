namespace Clearwing.Cases;

/// <summary>
/// Which disclosure profile governs a project: the coordinator's default, unless the project has an override.
/// Built through <see cref="Create"/>, which refuses unknown profile names listing the known ones, so
/// <see cref="For"/> never fails.
/// </summary>
internal sealed class DisclosurePolicies
{
    readonly Dictionary<string, DisclosureProfile> _byProject;

    DisclosurePolicies(DisclosureProfile fallback, Dictionary<string, DisclosureProfile> byProject, IReadOnlyList<DisclosureProfile> profiles)
    {
        Default = fallback;
        _byProject = byProject;
        Profiles = profiles;
    }

    /// <summary>The coordinator's default profile.</summary>
    public DisclosureProfile Default { get; }

    /// <summary>The profiles names may refer to.</summary>
    public IReadOnlyList<DisclosureProfile> Profiles { get; }

    /// <summary>Project name → profile name, for the projects that do not use the default.</summary>
    public IReadOnlyDictionary<string, string> Overrides => _byProject.ToDictionary(p => p.Key, p => p.Value.Name, StringComparer.Ordinal);

    /// <summary>The profile that governs <paramref name="project"/>.</summary>
    public DisclosureProfile For(string project) => _byProject.GetValueOrDefault(project, Default);

    /// <param name="defaultProfile">The coordinator's default profile name.</param>
    /// <param name="projectOverrides">Project name → profile name.</param>
    /// <param name="profiles">The profiles to choose from; the shipped ones when null. Each must have no
    /// <see cref="DisclosureProfile.Problems"/> and a unique name.</param>
    public static Checked<DisclosurePolicies> Create(
        string defaultProfile, IReadOnlyDictionary<string, string>? projectOverrides = null, IReadOnlyList<DisclosureProfile>? profiles = null)
    {
        profiles ??= DisclosureProfiles.Shipped;
        var problems = profiles.SelectMany(p => p.Problems()).ToList();
        problems.AddRange(profiles.GroupBy(p => p.Name).Where(g => g.Count() > 1).Select(g => $"profile name '{g.Key}' is used {g.Count()} times"));
        if (problems.Count > 0) return Checked<DisclosurePolicies>.Refuse(string.Join("; ", problems));

        var fallback = DisclosureProfiles.Find(defaultProfile, profiles);
        if (fallback.Value is not { } found) return Checked<DisclosurePolicies>.Refuse($"default: {fallback.Error}");

        var byProject = new Dictionary<string, DisclosureProfile>(StringComparer.Ordinal);
        foreach (var (project, name) in projectOverrides ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrWhiteSpace(project)) return Checked<DisclosurePolicies>.Refuse($"an override for profile '{name}' names no project");
            var profile = DisclosureProfiles.Find(name, profiles);
            if (profile.Value is null) return Checked<DisclosurePolicies>.Refuse($"project '{project}': {profile.Error}");
            byProject[project] = profile.Value;
        }
        return Checked<DisclosurePolicies>.Accept(new DisclosurePolicies(found, byProject, profiles));
    }
}
