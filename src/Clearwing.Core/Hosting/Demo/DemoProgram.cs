using System.Globalization;
using System.Text;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Packages;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.Hosting;

/// <summary>A demo sign-in: the login, its org and role, and the password generated for it (shown once, stored hashed).</summary>
public sealed record DemoSignIn(string Login, string Org, OrgKind Kind, Role Role, string Password);

/// <summary>What <see cref="DemoProgram.LoadAsync"/> loaded, and how long it took.</summary>
public sealed record DemoSummary(IReadOnlyList<DemoSignIn> SignIns, long Orgs, long Projects, long Products, long Findings, long Cases, TimeSpan Took)
{
    /// <summary>The sign-ins as a table for the console, one line each.</summary>
    public string SignInTable()
    {
        var rows = SignIns.Select(s => (Login: s.Login, Org: s.Org, Role: $"{s.Kind.Name()} {s.Role.Name()}", Password: s.Password))
            .Prepend((Login: "login", Org: "org", Role: "role", Password: "password")).ToList();
        var (login, org, role) = (rows.Max(r => r.Login.Length), rows.Max(r => r.Org.Length), rows.Max(r => r.Role.Length));
        return string.Join('\n', rows.Select(r => $"  {r.Login.PadRight(login)}  {r.Org.PadRight(org)}  {r.Role.PadRight(role)}  {r.Password}"));
    }
}

/// <summary>
/// <c>clearwing serve --demo</c>: a realistic vulnerability program loaded into an empty database, so that a new user sees a
/// living dashboard at once. A coordinator with an admin and a triager; three maintainer orgs (a TLS library, an image
/// decoder, a web framework), a validator and two downstream orgs with their members; the downstream products' SBOMs; two
/// scans of each project, months apart, by CodeQL, Semgrep, a fuzzer and an AI model (a few thousand findings, a few
/// hundred cases, some joined across finders, the second scan dropping what was fixed and adding what is new); and the
/// cases worked through every lifecycle state with CVSS vectors, SSVC decisions, grants, packages, aliases, extensions and
/// feeds.
/// <para>
/// Everything goes through the product's own stores and importer, as the API would call them: the demo is the pipeline at
/// work, not rows written around it. It replays the program's last 120 days on a clock of its own (each step stored at
/// its instant), so that weekly charts, time in each stage and deadlines read as they would in a real program. The same
/// seed gives the same program every time, apart from the passwords (generated) and ids (random by design).
/// </para>
/// </summary>
public sealed class DemoProgram
{
    /// <summary>Issue 16, where the demo was asked for: the seed of every choice the demo makes.</summary>
    const int Seed = 16;
    /// <summary>The days of history replayed, ending now; the projects' second scans come this many days into it.</summary>
    const double Days = 120, SecondScans = 108;
    const double Last = Days - 0.1;

    readonly IServiceProvider _app;
    readonly ReplayClock _clock;
    readonly DateTimeOffset _start;
    readonly Random _random = new(Seed);
    readonly List<(double Day, Func<CancellationToken, Task> Run)> _steps = [];
    readonly List<DemoFlaw> _flaws = [];
    readonly Dictionary<(string Tool, string Rule, string Path, string Function), DemoFlaw> _byFinding = [];
    readonly HashSet<string> _casesTaken = [];
    readonly List<DemoSignIn> _signIns = [];
    readonly Dictionary<string, Caller> _callers = [];
    DemoFlaw? _exploited;
    int _cves;

    DemoProgram(IServiceProvider app, ReplayClock clock, DateTimeOffset start) => (_app, _clock, _start) = (app, clock, start);

    /// <summary>
    /// Loads the demo program into <paramref name="db"/> (migrated), whose history ends at <paramref name="time"/>'s now, and
    /// returns the sign-ins with their passwords. Refused (bad input) when the database holds any org, project, import or
    /// case: nothing is written then.
    /// </summary>
    public static async Task<DemoSummary> LoadAsync(Database db, TimeProvider time, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var began = time.GetTimestamp();
        await RequireEmptyAsync(db, ct);
        var now = time.GetUtcNow();
        var start = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddDays(-Days);
        var clock = new ReplayClock(start);
        await using var app = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddClearwing(db).BuildServiceProvider();
        var demo = new DemoProgram(app, clock, start);
        demo.Plan();
        foreach (var (day, run) in demo._steps.OrderBy(s => s.Day))
        {
            clock.Now = start + TimeSpan.FromDays(day);
            await run(ct);
        }
        await using var connection = await db.OpenAsync(ct);
        var (orgs, projects, products, findings, cases) = await connection.QuerySingleAsync<(long, long, long, long, long)>(
            """
            SELECT (SELECT count(*) FROM orgs), (SELECT count(*) FROM projects), (SELECT count(*) FROM products),
                   (SELECT count(*) FROM findings), (SELECT count(*) FROM cases)
            """);
        return new DemoSummary(demo._signIns, orgs, projects, products, findings, cases, time.GetElapsedTime(began));
    }

    static async Task RequireEmptyAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var (orgs, projects, imports, cases) = await connection.QuerySingleAsync<(long, long, long, long)>(
            "SELECT (SELECT count(*) FROM orgs), (SELECT count(*) FROM projects), (SELECT count(*) FROM imports), (SELECT count(*) FROM cases)");
        if (orgs + projects + imports + cases > 0)
            throw new BadInputException(
                $"--demo loads a demo program into an empty database only, and {db.Display} holds data ({orgs} orgs, {projects} projects, " +
                $"{imports} imports, {cases} cases); nothing was changed. Serve it without --demo, or give --demo a new database (--db demo.db).");
    }

    /// <summary>The whole program as steps on its timeline: who joins, what is scanned, and each case's way through its lifecycle.</summary>
    void Plan()
    {
        At(0, OrgsAndMembersAsync);
        At(1.2, ProductsAsync);
        foreach (var (index, project) in DemoCatalog.Projects.Index())
        {
            var flaws = PlanFlaws(project);
            foreach (var second in new[] { false, true })
            {
                var day = (second ? SecondScans : 6) + index;
                var revision = Hex(40);
                foreach (var (order, finder) in project.Finders.Index())
                    At(day + 0.1 * order, ct => ScanAsync(project, finder, revision, flaws, second, ct));
                At(day + 0.5, ct => MapCasesAsync(project, ct));
            }
            if (project.Profile != DisclosurePolicyStore.ShippedDefault.Name)
                At(6 + index + 0.55, ct =>
                    _app.GetRequiredService<DisclosurePolicyStore>().SetProjectProfileAsync(Admin, project.Name, project.Profile, ct));
        }
        foreach (var flaw in _flaws.Where(f => !f.Kind.Quality)) PlanCase(flaw);
        PlanClockFacts();
        At(Days - 0.05, FeedsAsync);
    }

    void At(double day, Func<CancellationToken, Task> run) => _steps.Add((Math.Min(day, Last), run));

    // ---- Orgs, members and products ---------------------------------------------------------------------------------------

    Caller Admin => _callers[DemoCatalog.Admin];
    Caller Triager => _callers[DemoCatalog.Triager];
    Caller Analyst => _callers[DemoCatalog.Analyst];

    async Task OrgsAndMembersAsync(CancellationToken ct)
    {
        var orgStore = _app.GetRequiredService<OrgStore>();
        var members = _app.GetRequiredService<MemberStore>();
        var init = await orgStore.InitAsync(DemoCatalog.Coordinator, DemoCatalog.Admin, null, ct);
        _signIns.Add(new(DemoCatalog.Admin, DemoCatalog.Coordinator, OrgKind.Coordinator, Role.Admin, init.Password!));
        await CallerAsync(DemoCatalog.Coordinator, DemoCatalog.Admin, ct);
        var joining = new List<(string Org, OrgKind Kind, string Login, Role Role, bool SignIn)>
        {
            (DemoCatalog.Coordinator, OrgKind.Coordinator, DemoCatalog.Triager, Role.Triager, true),
        };
        joining.AddRange(DemoCatalog.Projects.Select((p, i) => (p.Team, OrgKind.Maintainer, p.Member, i == 0 ? Role.Admin : Role.Triager, true)));
        joining.Add((DemoCatalog.Validator, OrgKind.Validator, DemoCatalog.Analyst, Role.Triager, true));
        joining.Add((DemoCatalog.Hospital, OrgKind.Downstream, DemoCatalog.HospitalMember, Role.Admin, true));
        // The distro registers its images with a token from its build pipeline: a member without a web password.
        joining.Add((DemoCatalog.Distro, OrgKind.Downstream, DemoCatalog.DistroMember, Role.Admin, false));
        foreach (var (org, kind, login, role, signIn) in joining)
        {
            if (kind != OrgKind.Coordinator) await orgStore.CreateOrgAsync(Admin, org, kind, ct);
            var password = signIn ? Secrets.NewPassword() : null;
            _clock.Now += TimeSpan.FromMinutes(7);
            await members.AddMemberAsync(Admin, org, login, role, password, ct);
            if (password is not null) _signIns.Add(new(login, org, kind, role, password));
            await CallerAsync(org, login, ct);
        }
    }

    async Task CallerAsync(string org, string login, CancellationToken ct)
    {
        await using var connection = await _app.GetRequiredService<Database>().OpenAsync(ct);
        var orgId = await connection.ExecuteScalarAsync<long>("SELECT id FROM orgs WHERE name = @org", new { org });
        _callers[login] = await _app.GetRequiredService<MemberStore>().MemberCallerAsync(orgId, login, ct)
            ?? throw new InvalidOperationException($"The demo's member {login} of {org} was not stored.");
    }

    async Task ProductsAsync(CancellationToken ct)
    {
        foreach (var (org, product, version, components, direct) in DemoCatalog.Products)
        {
            var file = DemoScans.Sbom(product, version, components, direct, new Guid(Bytes(16)), _clock.Now);
            try
            {
                var by = _callers[org == DemoCatalog.Hospital ? DemoCatalog.HospitalMember : DemoCatalog.DistroMember];
                await _app.GetRequiredService<SbomStore>().ImportAsync(by, org, product, file, $"{product}.cdx.json", ct);
            }
            finally
            {
                File.Delete(file);
            }
            _clock.Now += TimeSpan.FromHours(3);
        }
    }

    // ---- Scans ----------------------------------------------------------------------------------------------------------

    /// <summary>
    /// A project's flaws: kinds its finders see at places in its code, each at lines of its own (two flaws never overlap, so
    /// only the joins meant happen), reported by one finder or, now and then, by two that the import joins into one case.
    /// </summary>
    List<DemoFlaw> PlanFlaws(DemoProject project)
    {
        var places = (from kind in project.Kinds
                      where project.Finders.Any(f => kind.Rule(f) is not null)
                      from site in project.Sites
                      select (kind, site)).ToArray();
        _random.Shuffle(places);
        var (lines, shifts) = (new Dictionary<string, int>(), new Dictionary<string, int>());
        var flaws = new List<DemoFlaw>();
        foreach (var (i, (kind, site)) in places.Take(project.Flaws + project.NewFlaws).Index())
        {
            var first = i < project.Flaws;
            var finders = project.Finders.Where(f => kind.Rule(f) is not null).ToArray();
            var primary = finders[_random.Next(finders.Length)];
            var reportedBy = finders.Length > 1 && _random.NextDouble() < 0.15
                ? [primary, finders.Where(f => f != primary).ElementAt(_random.Next(finders.Length - 1))]
                : new[] { primary };
            var line = lines.GetValueOrDefault(site.File, 20) + _random.Next(8, 60);
            lines[site.File] = line + 8;
            // Code added or removed above moves a file's flaws between the scans, all alike, so they never meet.
            if (!shifts.TryGetValue(site.File, out var shift)) shifts[site.File] = shift = _random.NextDouble() < 0.4 ? _random.Next(-6, 40) : 0;
            var fate = kind.Quality ? CaseState.New : first ? FirstScanFate() : _random.NextDouble() switch
            {
                < 0.75 => CaseState.New,
                < 0.95 => CaseState.Triage,
                _ => CaseState.Confirmed,
            };
            var flaw = new DemoFlaw
            {
                Project = project, Kind = kind, Site = site, Line = line, Snippet = kind.Snippets[_random.Next(kind.Snippets.Length)],
                Reports = [.. reportedBy.Select(f => (f, Results(f)))],
                Numbers = (_random.Next(2, 64) * 64, _random.Next(1, 32) * 16, 1 << _random.Next(4)),
                InFirstScan = first,
                // What was fixed before the second scan is gone from it; so is now and then a result whose code was rewritten.
                InSecondScan = fate is not (CaseState.FixVerified or CaseState.Disclosed)
                    && !(fate is CaseState.New or CaseState.Triage or CaseState.Rejected && _random.NextDouble() < 0.06),
                Shift = shift,
                Fate = fate,
            };
            flaws.Add(flaw);
            foreach (var (finder, _) in flaw.Reports)
                _byFinding[(DemoScans.ToolName(finder), flaw.Rule(finder), site.File, site.Function)] = flaw;
        }
        _flaws.AddRange(flaws);
        return flaws;
    }

    /// <summary>Results per scan: several paths to one sink for an analyzer, many crashing inputs for a fuzzer, one for a model.</summary>
    int Results(DemoFinder finder) => finder switch
    {
        DemoFinder.CodeQl => _random.NextDouble() < 0.45 ? _random.Next(2, 7) : 1,
        DemoFinder.Semgrep => _random.NextDouble() < 0.4 ? _random.Next(2, 4) : 1,
        DemoFinder.Fuzzer => 1 + (int)(Math.Pow(_random.NextDouble(), 2) * 36),
        _ => 1,
    };

    /// <summary>Where a case from the first scans is now: a backlog, a funnel that narrows, a few fixed and disclosed.</summary>
    CaseState FirstScanFate() => _random.NextDouble() switch
    {
        < 0.24 => CaseState.New,
        < 0.36 => CaseState.Triage,
        < 0.50 => CaseState.Rejected,
        < 0.57 => CaseState.Confirmed,
        < 0.65 => CaseState.Notified,
        < 0.75 => CaseState.FixInProgress,
        < 0.82 => CaseState.Fixed,
        < 0.88 => CaseState.FixVerified,
        _ => CaseState.Disclosed,
    };

    async Task ScanAsync(DemoProject project, DemoFinder finder, string revision, List<DemoFlaw> flaws, bool second, CancellationToken ct)
    {
        var file = DemoScans.Write(finder, project, revision, flaws, second);
        try
        {
            var name = finder.ToString().ToLowerInvariant() + (finder is DemoFinder.CodeQl or DemoFinder.Semgrep ? ".sarif" : ".json");
            await _app.GetRequiredService<Importer>().ImportAsync(
                new ImportRequest(project.Name, [new ImportFile(file, name)], revision, By: Admin), null, ct);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Which case each flaw's findings went to, read back as the coordinator reads findings. A flaw whose findings went to a
    /// case another flaw holds (a matching pass or join the demo did not plan) keeps no case: its moves are skipped.
    /// </summary>
    async Task MapCasesAsync(DemoProject project, CancellationToken ct)
    {
        var findings = _app.GetRequiredService<FindingQueries>();
        string? after = null;
        do
        {
            var page = await findings.ListAsync(Admin, new FindingFilter(Project: project.Name, Limit: FindingQueries.MaxLimit, After: after), ct);
            foreach (var f in page.Items)
                if (f.Case is { } caseId && _byFinding.TryGetValue((f.Tool, f.RuleId, f.Path ?? "", f.Function ?? ""), out var flaw)
                    && flaw.CaseId is null && _casesTaken.Add(caseId))
                    flaw.CaseId = caseId;
            after = page.Next;
        }
        while (after is not null);
    }

    // ---- Cases ----------------------------------------------------------------------------------------------------------

    /// <summary>
    /// One case's way to its <see cref="DemoFlaw.Fate"/>, move by move, as the program's people would make it: the coordinator
    /// triages, a validator (with a grant) or the coordinator confirms with a CVSS vector and SSVC values, the coordinator grants
    /// the maintainers and notifies them, they fix, the fix is verified (by the second scan not finding it, or by a person), and
    /// the coordinator discloses with a CVE.
    /// </summary>
    void PlanCase(DemoFlaw flaw)
    {
        var project = flaw.Project;
        var index = Array.IndexOf(DemoCatalog.Projects, project);
        var seen = (flaw.InFirstScan ? 6 : SecondScans) + index + 1;
        var fate = flaw.Fate;
        if (fate == CaseState.New) return;
        // Triage keeps pace with the finders only so far: cases are taken up over the months, those fixed and verified by the
        // second scan among the first.
        var t = Pick(seen, fate switch
        {
            CaseState.Triage => Last,
            CaseState.Confirmed => Last - 10,
            CaseState.Rejected => seen + 90,
            CaseState.FixVerified or CaseState.Disclosed => seen + 40,
            _ => seen + 70,
        });
        Move(t, flaw, () => Triager, new(CaseState.Triage));
        if (fate == CaseState.Triage) return;

        var byValidator = _random.NextDouble() < 0.6;
        Caller Decider() => byValidator ? Analyst : Triager;
        if (byValidator)
            Act(t += 0.02, flaw, (id, ct) => Grant(id, DemoCatalog.Validator, "Reproduce and assess before the maintainers are told.", ct));
        t += Pick(1, 8);
        if (fate == CaseState.Rejected)
        {
            // A duplicate names a case the validator was not granted: the coordinator, who sees both, rejects it.
            var rejection = Rejection(flaw);
            Move(t, flaw, rejection.Rejection == Cases.Rejection.Duplicate ? () => Triager : Decider, rejection);
            return;
        }
        Move(t, flaw, Decider, new(CaseState.Confirmed, "Reproduced on the scanned revision."));
        Act(t += 0.01, flaw, (id, ct) => Score(Decider(), id, flaw, ct));
        var packaged = !flaw.Reports.Any(r => r.Finder == DemoFinder.Model) || !project.Package.StartsWith("pkg:pypi/", StringComparison.Ordinal);
        if (packaged && _random.NextDouble() < 0.6)
        {
            var range = project.Ranges[_random.Next(project.Ranges.Length)];
            Act(t += 0.01, flaw, (id, ct) => _app.GetRequiredService<ExposureStore>().SetPackageAsync(Admin, id, project.Package, range, ct));
        }
        if (fate == CaseState.Confirmed) return;

        t = fate == CaseState.Notified ? Pick(t + 0.5, Last) : t + Pick(0.5, 4);
        Act(t, flaw, (id, ct) => Grant(id, project.Team, $"{project.Team} maintains {project.Name}.", ct));
        Move(t += 0.01, flaw, () => Triager, new(CaseState.Notified, "Sent to the maintainers' security contact."));
        if (flaw.Kind.SecuritySeverity >= 7.5 && _random.NextDouble() < 0.5) Alias(t += 0.01, flaw);
        var maintainer = () => _callers[project.Member];
        // Project Zero and the coordinator's own profile grant extensions on request; OSS-Fuzz does not.
        if (fate is CaseState.Notified or CaseState.FixInProgress && project.Profile != "oss-fuzz" && _random.NextDouble() < 0.3)
            Extension(t + Pick(10, 40), flaw, maintainer);
        if (fate == CaseState.Notified) return;

        t = fate == CaseState.FixInProgress ? Pick(t + 1, Math.Min(t + 50, Last)) : t + Pick(1, 10);
        Move(t, flaw, maintainer, new(CaseState.FixInProgress, "Patch in review."));
        if (fate == CaseState.FixInProgress) return;

        // Half the fixes are verified by a person; the rest by the second scan, which no longer finds them (docs/lifecycle.md).
        // Those still waiting for disclosure landed lately, as in a program that discloses what it verified.
        var byRescan = _random.NextDouble() < 0.5;
        var commit = Hex(40);
        var version = project.FixedVersions[_random.Next(project.FixedVersions.Length)];
        t = fate == CaseState.Fixed ? Pick(SecondScans + 3.5, Last)
            : byRescan || fate == CaseState.FixVerified ? Pick(Math.Max(t + 3, SecondScans - 20), SecondScans - 3)
            : Math.Min(t + Pick(3, 25), SecondScans - 3);
        Move(t, flaw, maintainer, new(CaseState.Fixed, FixCommit: commit, FixedVersion: version));
        if (fate == CaseState.Fixed) return;

        // A person verifies before the second scan, which would otherwise verify it by not finding it.
        if (!byRescan)
            Move(t = Pick(t + 1, Math.Min(t + 6, SecondScans - 0.5)), flaw, Decider,
                new(CaseState.FixVerified, "The reproducer no longer crashes at the fix commit."));
        if (fate == CaseState.FixVerified) return;

        t = byRescan ? Pick(SecondScans + 3.5, Last) : t + Pick(2, 30);
        if (flaw.Cve is null) Alias(t, flaw);
        Move(t += 0.01, flaw, () => Admin, new(CaseState.Disclosed, "Advisory published with the fixed versions."));
    }

    /// <summary>How a case leaves triage rejected: mostly false positives, some duplicates of a case already confirmed.</summary>
    TransitionRequest Rejection(DemoFlaw flaw) => _random.NextDouble() switch
    {
        < 0.62 => new(CaseState.Rejected, DemoCatalog.FalsePositives[_random.Next(DemoCatalog.FalsePositives.Length)], Cases.Rejection.FalsePositive),
        < 0.80 when _flaws.FirstOrDefault(f => f.Project == flaw.Project && f.Kind.Cwe == flaw.Kind.Cwe && f != flaw && f.InFirstScan
                && f.Fate is not (CaseState.New or CaseState.Triage or CaseState.Rejected)) is { } original =>
            new(CaseState.Rejected, $"Same root cause as the {original.Site.Function} case: one missing check reached from two callers.",
                Cases.Rejection.Duplicate, DuplicateOf: $"{{{_flaws.IndexOf(original)}}}"),
        < 0.90 => new(CaseState.Rejected, "Only reachable from the test harness; not part of any release.", Cases.Rejection.OutOfScope),
        _ => new(CaseState.Rejected, "Deprecated API, documented as unsafe for untrusted input; removed in the next major release.",
            Cases.Rejection.WontFix),
    };

    void Move(double day, DemoFlaw flaw, Func<Caller> who, TransitionRequest request) => Act(day, flaw, (id, ct) =>
    {
        // A duplicate names its original by the flaw's index until the original's case id is known.
        if (request.DuplicateOf is ['{', .., '}'] reference)
            request = _flaws[int.Parse(reference[1..^1], CultureInfo.InvariantCulture)].CaseId is { } original
                ? request with { DuplicateOf = original }
                : request with { Rejection = Cases.Rejection.FalsePositive, DuplicateOf = null };
        return _app.GetRequiredService<CaseLifecycle>().TransitionAsync(who(), id, request, ct);
    });

    /// <summary>A step on a flaw's case; skipped when the flaw has no case of its own.</summary>
    void Act(double day, DemoFlaw flaw, Func<string, CancellationToken, Task> run) =>
        At(day, ct => flaw.CaseId is { } id ? run(id, ct) : Task.CompletedTask);

    Task<GrantInfo> Grant(string caseId, string org, string reason, CancellationToken ct) =>
        _app.GetRequiredService<GrantStore>().GrantAsync(Triager, caseId, org, reason, ct);

    /// <summary>The assessment on confirmation: a CVSS vector and the SSVC values of the supplier's patch priority.</summary>
    async Task Score(Caller by, string caseId, DemoFlaw flaw, CancellationToken ct)
    {
        await _app.GetRequiredService<CaseCvss>().SetAsync(by, caseId, flaw.Fill(flaw.Kind.Vector), "Assessed on confirmation.", ct);
        var fuzzed = flaw.Reports.Any(r => r.Finder == DemoFinder.Fuzzer);
        await _app.GetRequiredService<CaseSsvc>().SetAsync(by, caseId, new Dictionary<string, string>
        {
            ["exploitation"] = fuzzed ? "public poc" : "none",
            ["utility"] = flaw.Project.UserInteraction == "R" ? "laborious" : flaw.Kind.Total ? "super effective" : "efficient",
            ["technical-impact"] = flaw.Kind.Total ? "total" : "partial",
            ["public-safety-impact"] = flaw.Project.UserInteraction == "R" && flaw.Kind.Total ? "significant" : "minimal",
        }, ct);
    }

    /// <summary>A CVE reserved for the case (and a GHSA for the web framework, whose advisories GitHub carries).</summary>
    void Alias(double day, DemoFlaw flaw)
    {
        flaw.Cve = $"CVE-{(_start + TimeSpan.FromDays(Days)).Year}-{41_200 + _cves++ * 17}";
        var ghsa = flaw.Project.Package.StartsWith("pkg:pypi/", StringComparison.Ordinal) ? Ghsa() : null;
        string[] aliases = ghsa is null ? [flaw.Cve] : [flaw.Cve, ghsa];
        Act(day, flaw, (id, ct) => _app.GetRequiredService<FeedStore>().AddAliasesAsync(Admin, id, aliases, ct));
    }

    void Extension(double day, DemoFlaw flaw, Func<Caller> maintainer)
    {
        var approve = _random.NextDouble() < 0.8;
        var decided = day + Pick(0.5, 3);
        if (decided >= Last) return;
        string? extension = null;
        Act(day, flaw, async (id, ct) => extension = (await _app.GetRequiredService<ExtensionStore>().AskExtensionAsync(maintainer(), id, 14,
            "The fix changes how buffers are sized; we need two more weeks to run it against downstream test suites.", ct)).Id);
        Act(decided, flaw, (id, ct) => extension is null ? Task.CompletedTask : _app.GetRequiredService<ExtensionStore>().DecideExtensionAsync(
            Triager, extension, approve ? ExtensionVerdict.Approved : ExtensionVerdict.Refused,
            approve ? "Approved: the patch is large and the testing plan is sound." : "Refused: the deadline already allows for this.", id, ct));
    }

    /// <summary>
    /// The clock facts a program sees now and then: a TLS flaw exploited in the wild (then listed by CISA KEV), and an
    /// image-decoder fix announced for a day (OSS-Fuzz's grace).
    /// </summary>
    void PlanClockFacts()
    {
        var clocks = () => _app.GetRequiredService<ClockStore>();
        if (_flaws.FirstOrDefault(f => f.Project.Name == "tessera-tls" && f.Fate == CaseState.FixInProgress && f.Kind.Total) is { } exploited)
        {
            // Days ago: the in-the-wild deadline (7 days) is close.
            var day = Last - 5;
            if (exploited.Cve is null) Alias(day, exploited);
            Act(day, exploited, (id, ct) => _app.GetRequiredService<ExposureStore>().SetPackageAsync(
                Admin, id, exploited.Project.Package, exploited.Project.Ranges[^1], ct));
            Act(day + 0.01, exploited, (id, ct) => clocks().RecordAsync(Admin, id, new ClockEntry(ClockFact.ExploitedInTheWild), ct));
            Act(day + 0.02, exploited, (id, ct) => _app.GetRequiredService<CaseSsvc>().SetAsync(Admin, id,
                new Dictionary<string, string> { ["exploitation"] = "active" }, ct));
            _exploited = exploited;
        }
        if (_flaws.FirstOrDefault(f => f.Project.Profile == "oss-fuzz" && f.Fate == CaseState.FixInProgress) is { } scheduled)
            Act(Last - 1, scheduled, (id, ct) => clocks().RecordAsync(_callers[scheduled.Project.Member], id,
                new ClockEntry(ClockFact.FixScheduled, ScheduledFor: _clock.Now.AddDays(12)), ct));
    }

    /// <summary>Today's CISA KEV catalog and FIRST EPSS scores, as the coordinator imports them daily, for the demo's CVEs.</summary>
    async Task FeedsAsync(CancellationToken ct)
    {
        var feeds = _app.GetRequiredService<FeedStore>();
        string Day(int days) => _clock.Now.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var cves = _flaws.Where(f => f.Cve is not null && f.CaseId is not null).Select(f => f.Cve!).ToList();
        var kev = _exploited?.Cve is { } listed ? $$"""
            { "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "{{Day(0).Replace('-', '.')}}",
              "dateReleased": "{{Day(0)}}T12:00:00.000Z", "count": 1,
              "vulnerabilities": [{ "cveID": "{{listed}}", "vendorProject": "Tessera", "product": "tessera-tls",
                "vulnerabilityName": "Tessera TLS Heap-Based Buffer Overflow Vulnerability", "dateAdded": "{{Day(0)}}",
                "shortDescription": "A crafted TLS record overflows a heap buffer in the record layer.",
                "requiredAction": "Apply mitigations per vendor instructions or discontinue use of the product.",
                "dueDate": "{{Day(21)}}", "knownRansomwareCampaignUse": "Unknown", "notes": "", "cwes": ["CWE-787"] }] }
            """ : null;
        var epss = new StringBuilder($"#model_version:v2025.03.14,score_date:{Day(0)}T00:00:00+0000\ncve,epss,percentile\n");
        foreach (var cve in cves)
        {
            var score = cve == _exploited?.Cve ? 0.87 : Math.Round(0.0004 + Math.Pow(_random.NextDouble(), 3) * 0.3, 5);
            epss.Append(CultureInfo.InvariantCulture, $"{cve},{score:0.00000},{Math.Min(0.999, 0.2 + score * 2.5):0.00000}\n");
        }
        foreach (var (content, import) in new (string? Content, Func<string, Task> Import)[]
                 {
                     (kev, path => feeds.ImportKevAsync(Admin, path, ct)),
                     (epss.ToString(), path => feeds.ImportEpssAsync(Admin, path, ct)),
                 })
        {
            if (content is null) continue;
            var file = PrivateFiles.NewSpoolFile("demo-feed");
            try
            {
                await File.WriteAllTextAsync(file, content, ct);
                await import(file);
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    // ---- Choices --------------------------------------------------------------------------------------------------------

    double Pick(double low, double high) => high <= low ? low : low + _random.NextDouble() * (high - low);

    byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    string Hex(int digits) => Convert.ToHexStringLower(Bytes(digits / 2));

    string Ghsa()
    {
        const string Alphabet = "23456789cfghjmpqrvwx";
        return "GHSA-" + string.Join('-', Enumerable.Range(0, 3).Select(_ =>
            new string([.. Enumerable.Range(0, 4).Select(_ => Alphabet[_random.Next(Alphabet.Length)])])));
    }
}

/// <summary>The demo's clock: it stands at each step's instant while the step runs, so that what the step stores is dated then.</summary>
internal sealed class ReplayClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
