using Clearwing.Scoring;
using CsCheck;

namespace Clearwing.Tests.Scoring;

public sealed class SsvcDecisionTests
{
    static readonly SsvcDecisionTable Cisa = SsvcTables.Get("cisa-coordinator");

    static Dictionary<string, string> Values(params (string Id, string Value)[] values) =>
        values.ToDictionary(v => v.Id, v => v.Value);

    [Fact]
    public void Active_automatable_total_high_is_act_on_the_cisa_coordinator_table()
    {
        var decision = SsvcDecision.Decide(Cisa, Values(
            ("exploitation", "active"), ("automatable", "yes"), ("technical-impact", "total"), ("mission-and-well-being-impact", "high")));

        Assert.Equal("Act", decision.Outcome.Name);
        Assert.Equal("AC", decision.Outcome.Key);
        Assert.Equal(35, decision.Row.Number);
        Assert.Equal(["exploitation", "automatable", "technical-impact", "mission-and-well-being-impact"], decision.Inputs.Select(c => c.DecisionPoint.Id));
    }

    [Fact]
    public void Values_are_matched_by_name_or_key_ignoring_case_and_ids_ignoring_case()
    {
        var byName = SsvcDecision.Decide(Cisa, Values(("exploitation", "Public PoC"), ("automatable", "no"), ("technical-impact", "total"), ("mission-and-well-being-impact", "medium")));
        var byKey = SsvcDecision.Decide(Cisa, Values(("Exploitation", "p"), ("AUTOMATABLE", "N"), ("technical-impact", "T"), ("mission-and-well-being-impact", "M")));

        Assert.Equal("Track*", byName.Outcome.Name);
        Assert.Equal(byName.Row, byKey.Row);
    }

    [Fact]
    public void Values_for_decision_points_the_table_does_not_use_are_ignored()
    {
        var values = Values(("exploitation", "none"), ("automatable", "no"), ("technical-impact", "partial"), ("mission-and-well-being-impact", "low"),
            ("system-exposure", "open"), ("report-public", "not a value at all"));

        Assert.Equal("Track", SsvcDecision.Decide(Cisa, values).Outcome.Name);
    }

    [Fact]
    public void A_missing_value_is_an_error_naming_the_decision_point_and_its_values()
    {
        var e = Assert.Throws<ArgumentException>(() => SsvcDecision.Decide(Cisa, Values(("exploitation", "active"), ("automatable", "yes"), ("technical-impact", "total"))));

        Assert.Contains("Mission and Well-Being Impact ('mission-and-well-being-impact')", e.Message);
        Assert.Contains("allowed: Low, Medium, High", e.Message);
    }

    [Fact]
    public void An_unknown_value_is_an_error_naming_the_decision_point_the_value_and_the_allowed_values()
    {
        var e = Assert.Throws<ArgumentException>(() => SsvcDecision.Decide(Cisa, Values(
            ("exploitation", "rumoured"), ("automatable", "yes"), ("technical-impact", "total"), ("mission-and-well-being-impact", "high"))));

        Assert.Contains("'rumoured' is not a value of Exploitation ('exploitation')", e.Message);
        Assert.Contains("allowed: None, Public PoC, Active", e.Message);
    }

    [Fact]
    public void An_unknown_table_is_an_error_listing_the_tables()
    {
        var e = Assert.Throws<ArgumentException>(() => SsvcTables.Get("cisa"));

        Assert.Contains("cisa-coordinator", e.Message);
        Assert.Contains("coordinator-triage", e.Message);
    }

    [Fact]
    public void The_explanation_names_the_table_the_row_and_each_input_with_its_definition()
    {
        var decision = SsvcDecision.Decide(SsvcTables.Get("deployer-patch-application"), Values(
            ("exploitation", "active"), ("system-exposure", "open"), ("automatable", "no"), ("human-impact", "very high")));

        Assert.Equal(
            """
            Defer, Scheduled, Out-of-Cycle, Immediate: Immediate
            by Deployer Patch Application Priority v1.0.0 (deployer-patch-application), row 67 of 72, from:
              Exploitation v1.1.0 = Active — Shared, observable, reliable evidence that the exploit is being used in the wild by real attackers; there is credible public reporting.
              System Exposure v1.0.1 = Open — Internet or another widely accessible network where access cannot plausibly be restricted or controlled (e.g., DNS servers, web servers, VOIP servers, email servers)
              Automatable v2.0.0 = No — Attackers cannot reliably automate steps 1-4 of the kill chain for this vulnerability. These steps are (1) reconnaissance, (2) weaponization, (3) delivery, and (4) exploitation.
              Human Impact v2.0.2 = Very High — Safety Impact:Catastrophic OR Mission Impact:Mission Failure

            """.Replace("\r\n", "\n"), decision.Explain());
    }

    static readonly Gen<(SsvcDecisionTable Table, Dictionary<string, string> Values)> AnyAssignment =
        from table in Gen.OneOf(SsvcTables.All.ToArray())
        from picks in Gen.Int[0, 1000].Array[table.Inputs.Count]
        from useKeys in Gen.Bool
        select (table, table.Inputs.Select((p, i) =>
        {
            var v = p.Values[picks[i] % p.Values.Count];
            return KeyValuePair.Create(p.Id, useKeys ? v.Key : v.Name.ToUpperInvariant());
        }).ToDictionary());

    [Fact]
    public void Any_complete_assignment_of_valid_values_has_a_decision_whose_explanation_lists_every_input()
    {
        AnyAssignment.Sample(a =>
        {
            var decision = SsvcDecision.Decide(a.Table, a.Values);
            var explanation = decision.Explain();
            Assert.Equal(a.Table.Inputs, decision.Inputs.Select(c => c.DecisionPoint));
            Assert.Contains(decision.Row, a.Table.Rows);
            Assert.Equal(decision.Row.Outcome, decision.Outcome);
            Assert.Equal(decision.Row.Inputs, decision.Inputs.Select(c => c.Value));
            foreach (var c in decision.Inputs)
                Assert.Contains($"{c.DecisionPoint.Name} v{c.DecisionPoint.Version} = {c.Value.Name} — {c.Value.Description}", explanation);
            Assert.Contains($"row {decision.Row.Number} of {a.Table.Rows.Count}", explanation);
        }, iter: 10_000);
    }
}
