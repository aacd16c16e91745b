using System.Text.RegularExpressions;
using Clearwing.Access;
using Clearwing.Cases;

namespace Clearwing.Tests.Cases;

public sealed class LifecycleTests
{
    /// <summary>Every move in the table × every (kind, role) there is.</summary>
    public static TheoryData<CaseState, CaseState, OrgKind, Role> EveryMoveForEveryRole()
    {
        var data = new TheoryData<CaseState, CaseState, OrgKind, Role>();
        foreach (var edge in Lifecycle.Table)
            foreach (var caller in OrgRole.All)
                data.Add(edge.From, edge.To, caller.Kind, caller.Role);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryMoveForEveryRole))]
    public void A_move_in_the_table_is_accepted_for_its_roles_and_refused_for_every_other(CaseState from, CaseState to, OrgKind kind, Role role)
    {
        var edge = Lifecycle.Table.Single(e => e.From == from && e.To == to);
        var caller = new OrgRole(kind, role);

        var decision = Lifecycle.Decide(from, Some.RequestFor(edge), caller);

        if (edge.AllowedBy.Contains(caller))
        {
            var accepted = Assert.IsType<TransitionDecision.Accepted>(decision).Transition;
            Assert.Equal((from, to, edge.Action, caller), (accepted.From, accepted.To, accepted.Action, accepted.By));
        }
        else
        {
            var refused = Assert.IsType<TransitionDecision.Refused>(decision);
            Assert.Equal(RefusalKind.NotPermitted, refused.Kind);
            Assert.Equal(edge.AllowedBy, refused.PermittedRoles);
            Assert.Contains($"only {string.Join(", ", edge.AllowedBy)} may {edge.Action}", refused.Message);
            Assert.Equal(Lifecycle.AllowedFrom(from, caller), refused.AllowedFromHere);
        }
    }

    [Fact]
    public void Every_pair_of_states_outside_the_table_is_refused_for_everyone_naming_both_states_and_the_moves_left()
    {
        var checkedPairs = 0;
        foreach (var from in Enum.GetValues<CaseState>())
            foreach (var to in Enum.GetValues<CaseState>())
            {
                if (Lifecycle.Table.Any(e => e.From == from && e.To == to)) continue;
                foreach (var caller in OrgRole.All)
                {
                    var refused = Assert.IsType<TransitionDecision.Refused>(Lifecycle.Decide(from, new TransitionRequest(to), caller));
                    Assert.Equal(RefusalKind.NoSuchMove, refused.Kind);
                    Assert.Empty(refused.PermittedRoles);
                    Assert.Contains($"from '{Lifecycle.Name(from)}' to '{Lifecycle.Name(to)}'", refused.Message);
                    Assert.All(refused.AllowedFromHere, e => Assert.Contains(e.ToString(), refused.Message));
                }
                checkedPairs++;
            }
        Assert.Equal(9 * 9 - Lifecycle.Table.Count, checkedPairs);
    }

    [Fact]
    public void A_refusal_lists_the_moves_the_caller_may_make_from_here()
    {
        var refused = Assert.IsType<TransitionDecision.Refused>(
            Lifecycle.Decide(CaseState.Fixed, new TransitionRequest(CaseState.Disclosed), Some.MaintainerAdmin));

        Assert.Equal(
            "Cannot move a case from 'fixed' to 'disclosed' as maintainer admin: only coordinator admin, coordinator triager may disclose. " +
            "As maintainer admin you may, from 'fixed': reopen → fix_in_progress.",
            refused.Message);
        Assert.Equal([CaseState.FixInProgress], refused.AllowedFromHere.Select(e => e.To));
    }

    [Fact]
    public void A_move_that_does_not_exist_says_so_and_offers_what_does()
    {
        var refused = Assert.IsType<TransitionDecision.Refused>(
            Lifecycle.Decide(CaseState.Notified, new TransitionRequest(CaseState.Fixed, FixCommit: "abc"), Some.CoordinatorTriager));

        Assert.Equal(
            "Cannot move a case from 'notified' to 'fixed': there is no such move. " +
            "As coordinator triager you may, from 'notified': disclose → disclosed.",
            refused.Message);
    }

    [Fact]
    public void A_caller_with_no_moves_is_told_so()
    {
        var refused = Assert.IsType<TransitionDecision.Refused>(
            Lifecycle.Decide(CaseState.Triage, new TransitionRequest(CaseState.Confirmed), new OrgRole(OrgKind.Downstream, Role.Admin)));

        Assert.EndsWith("As downstream admin you may make no move from 'triage'.", refused.Message);
        Assert.Empty(refused.AllowedFromHere);
    }

    [Fact]
    public void Viewers_and_downstream_orgs_never_move_a_case()
    {
        var bystanders = OrgRole.All.Where(r => r.Role == Role.Viewer || r.Kind == OrgKind.Downstream).ToList();
        Assert.Equal(6, bystanders.Count);
        foreach (var state in Enum.GetValues<CaseState>())
            Assert.All(bystanders, b => Assert.Empty(Lifecycle.AllowedFrom(state, b)));
    }

    [Fact]
    public void A_case_goes_from_new_to_disclosed_with_each_party_doing_its_part()
    {
        (OrgRole By, TransitionRequest Request)[] steps =
        [
            (Some.CoordinatorTriager, new TransitionRequest(CaseState.Triage)),
            (Some.ValidatorTriager, new TransitionRequest(CaseState.Confirmed, Reason: "reproduced under ASan")),
            (Some.CoordinatorAdmin, new TransitionRequest(CaseState.Notified)),
            (Some.MaintainerTriager, new TransitionRequest(CaseState.FixInProgress)),
            (Some.MaintainerAdmin, new TransitionRequest(CaseState.Fixed, FixCommit: " 3f2a9c1 ", FixedVersion: "2.4.1")),
            (Some.ValidatorTriager, new TransitionRequest(CaseState.FixVerified)),
            (Some.CoordinatorAdmin, new TransitionRequest(CaseState.Disclosed)),
        ];

        var state = CaseState.New;
        var actions = new List<string>();
        foreach (var (by, request) in steps)
        {
            var transition = Assert.IsType<TransitionDecision.Accepted>(Lifecycle.Decide(state, request, by)).Transition;
            Assert.Equal(state, transition.From);
            actions.Add(transition.Action);
            if (transition.To == CaseState.Fixed) Assert.Equal(("3f2a9c1", "2.4.1"), (transition.FixCommit, transition.FixedVersion));
            state = transition.To;
        }
        Assert.Equal(CaseState.Disclosed, state);
        Assert.Equal(["triage", "confirm", "notify", "start_fix", "mark_fixed", "verify_fix", "disclose"], actions);
        Assert.DoesNotContain(Lifecycle.Table, e => e.From == CaseState.Disclosed);
    }

    [Theory]
    [InlineData(CaseState.Fixed, OrgKind.Maintainer, CaseState.FixInProgress)]
    [InlineData(CaseState.Fixed, OrgKind.Coordinator, CaseState.FixInProgress)]
    [InlineData(CaseState.FixVerified, OrgKind.Maintainer, CaseState.FixInProgress)]
    [InlineData(CaseState.FixVerified, OrgKind.Coordinator, CaseState.FixInProgress)]
    [InlineData(CaseState.Rejected, OrgKind.Coordinator, CaseState.Triage)]
    public void A_reopen_with_a_reason_is_accepted_and_records_it(CaseState from, OrgKind kind, CaseState to)
    {
        var transition = Assert.IsType<TransitionDecision.Accepted>(
            Lifecycle.Decide(from, new TransitionRequest(to, Reason: "crash reproduces on 2.4.1"), new OrgRole(kind, Role.Triager))).Transition;

        Assert.Equal(("reopen", "crash reproduces on 2.4.1"), (transition.Action, transition.Reason));
    }

    [Fact]
    public void A_reopen_without_a_reason_is_refused()
    {
        var refused = Assert.IsType<TransitionDecision.Refused>(
            Lifecycle.Decide(CaseState.FixVerified, new TransitionRequest(CaseState.FixInProgress, Reason: "  "), Some.MaintainerAdmin));

        Assert.Equal(RefusalKind.Details, refused.Kind);
        Assert.Equal("Cannot move a case from 'fix_verified' to 'fix_in_progress': reopening needs a reason.", refused.Message);
    }

    [Fact]
    public void A_validator_cannot_reopen_a_fix_and_a_maintainer_cannot_reopen_a_rejection()
    {
        Assert.IsType<TransitionDecision.Refused>(
            Lifecycle.Decide(CaseState.Fixed, new TransitionRequest(CaseState.FixInProgress, Reason: "r"), Some.ValidatorTriager));
        Assert.IsType<TransitionDecision.Refused>(
            Lifecycle.Decide(CaseState.Rejected, new TransitionRequest(CaseState.Triage, Reason: "r"), Some.MaintainerAdmin));
    }

    public static TheoryData<CaseState, TransitionRequest, string> MissingOrStrayDetails() => new()
    {
        { CaseState.Triage, new TransitionRequest(CaseState.Rejected, Reason: "dup"), "a rejection needs its kind (false_positive, duplicate, out_of_scope, wont_fix)" },
        { CaseState.Triage, new TransitionRequest(CaseState.Rejected, Rejection: Rejection.OutOfScope), "a rejection needs a reason" },
        { CaseState.Triage, new TransitionRequest(CaseState.Rejected, Reason: "same root cause", Rejection: Rejection.Duplicate), "a rejection as duplicate needs the id of the case it duplicates" },
        { CaseState.Triage, new TransitionRequest(CaseState.Rejected, Reason: "r", Rejection: Rejection.WontFix, DuplicateOf: "c1"), "a duplicate-of case id applies only to a rejection as duplicate" },
        { CaseState.Triage, new TransitionRequest(CaseState.Confirmed, Rejection: Rejection.WontFix), "the rejection 'wont_fix' applies only when moving to 'rejected'" },
        { CaseState.FixInProgress, new TransitionRequest(CaseState.Fixed), "a fix needs its fix commit or fixed version (or both)" },
        { CaseState.FixInProgress, new TransitionRequest(CaseState.Fixed, FixCommit: " ", FixedVersion: ""), "a fix needs its fix commit or fixed version (or both)" },
        { CaseState.Fixed, new TransitionRequest(CaseState.FixVerified, FixedVersion: "2.4.1"), "a fix commit or fixed version applies only when moving to 'fixed'" },
    };

    [Theory]
    [MemberData(nameof(MissingOrStrayDetails))]
    public void A_missing_or_stray_detail_is_a_refusal_naming_it(CaseState from, TransitionRequest request, string problem)
    {
        var caller = request.To == CaseState.Fixed ? Some.MaintainerAdmin : Some.CoordinatorAdmin;

        var refused = Assert.IsType<TransitionDecision.Refused>(Lifecycle.Decide(from, request, caller));

        Assert.Equal(RefusalKind.Details, refused.Kind);
        Assert.Equal($"Cannot move a case from '{Lifecycle.Name(from)}' to '{Lifecycle.Name(request.To)}': {problem}.", refused.Message);
    }

    [Fact]
    public void A_rejection_as_duplicate_records_the_case_it_duplicates()
    {
        var transition = Assert.IsType<TransitionDecision.Accepted>(Lifecycle.Decide(CaseState.Triage,
            new TransitionRequest(CaseState.Rejected, Reason: "same root cause", Rejection: Rejection.Duplicate, DuplicateOf: "c-01J9"),
            Some.ValidatorTriager)).Transition;

        Assert.Equal((Rejection.Duplicate, "c-01J9", "same root cause"), (transition.Rejection, transition.DuplicateOf, transition.Reason));
    }

    [Fact]
    public void A_fix_needs_only_one_of_commit_and_version()
    {
        Assert.IsType<TransitionDecision.Accepted>(
            Lifecycle.Decide(CaseState.FixInProgress, new TransitionRequest(CaseState.Fixed, FixedVersion: "2.4.1"), Some.MaintainerAdmin));
        Assert.IsType<TransitionDecision.Accepted>(
            Lifecycle.Decide(CaseState.FixInProgress, new TransitionRequest(CaseState.Fixed, FixCommit: "3f2a9c1"), Some.MaintainerAdmin));
    }

    [Fact]
    public void State_and_rejection_names_are_snake_case_and_round_trip()
    {
        Assert.Equal(["new", "triage", "confirmed", "rejected", "notified", "fix_in_progress", "fixed", "fix_verified", "disclosed"], Lifecycle.StateNames);
        Assert.Equal(["false_positive", "duplicate", "out_of_scope", "wont_fix"], Lifecycle.RejectionNamesInOrder);
        foreach (var state in Enum.GetValues<CaseState>())
            Assert.True(Lifecycle.TryParseState(Lifecycle.Name(state), out var back) && back == state);
        foreach (var rejection in Enum.GetValues<Rejection>())
            Assert.True(Lifecycle.TryParseRejection(Lifecycle.Name(rejection), out var back) && back == rejection);
        Assert.False(Lifecycle.TryParseState("FixInProgress", out _));
        Assert.False(Lifecycle.TryParseRejection("wontfix", out _));
    }

    // The docs are checked against the code: a change to the table that forgets the docs fails here.
    static readonly string Doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "lifecycle.md"));

    [Fact]
    public void The_table_in_the_docs_is_the_table_in_the_code()
    {
        // The rows under the table's header, up to the first line that is not a table row.
        var rows = Doc.Split('\n').SkipWhile(line => line.Trim() != "| from | to | action | who may |").Skip(2)
            .TakeWhile(line => line.StartsWith('|'))
            .Select(line => line.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray())
            .Select(c => $"{c[0]} → {c[1]}: {c[2]} by {c[3]}");
        var code = Lifecycle.Table.Select(e => $"{Lifecycle.Name(e.From)} → {Lifecycle.Name(e.To)}: {e.Action} by {string.Join(", ", e.AllowedBy)}");

        Assert.Equal(code, rows);
    }

    [Fact]
    public void The_diagram_in_the_docs_has_exactly_the_moves_in_the_code()
    {
        var arrows = Regex.Matches(Doc, @"^\s+(?<from>[a-z_]+) --> (?<to>[a-z_]+): (?<action>[a-z_]+)$", RegexOptions.Multiline)
            .Select(m => $"{m.Groups["from"].Value} → {m.Groups["to"].Value}: {m.Groups["action"].Value}");
        var code = Lifecycle.Table.Select(e => $"{Lifecycle.Name(e.From)} → {Lifecycle.Name(e.To)}: {e.Action}");

        Assert.Equal(code.Order(), arrows.Order());
    }

    [Fact]
    public void The_refusals_quoted_in_the_docs_are_the_ones_the_code_gives()
    {
        var noSuchMove = Lifecycle.Decide(CaseState.Notified, new TransitionRequest(CaseState.Fixed), Some.MaintainerAdmin);
        var notPermitted = Lifecycle.Decide(CaseState.Triage, new TransitionRequest(CaseState.Confirmed), Some.MaintainerAdmin);

        Assert.Contains("\n" + Assert.IsType<TransitionDecision.Refused>(noSuchMove).Message + "\n", Doc);
        Assert.Contains("\n" + Assert.IsType<TransitionDecision.Refused>(notPermitted).Message + "\n", Doc);
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Clearwing.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"Clearwing.slnx not found above {AppContext.BaseDirectory}");
    }
}
