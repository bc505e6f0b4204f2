using Granary.Contracts.Clusters;

namespace Granary.Tests.Clusters;

public sealed class Label_selectors_match_like_kubernetes
{
    private static readonly Dictionary<string, string> ProdEu = new() { ["env"] = "prod", ["region"] = "eu" };

    public static TheoryData<string, LabelSelector, bool> Cases => new()
    {
        { "empty selects all", new LabelSelector(), true },
        { "matchLabels equal", new LabelSelector { MatchLabels = new() { ["env"] = "prod" } }, true },
        { "matchLabels all must hold", new LabelSelector { MatchLabels = new() { ["env"] = "prod", ["region"] = "us" } }, false },
        { "matchLabels missing key", new LabelSelector { MatchLabels = new() { ["tier"] = "gold" } }, false },
        { "In hit", Expression("region", "In", "us", "eu"), true },
        { "In miss", Expression("region", "In", "us"), false },
        { "In on a missing label", Expression("tier", "In", "gold"), false },
        { "NotIn hit", Expression("env", "NotIn", "prod"), false },
        { "NotIn miss", Expression("env", "NotIn", "staging", "dev"), true },
        { "NotIn on a missing label", Expression("tier", "NotIn", "gold"), true },
        { "Exists", Expression("region", "Exists"), true },
        { "Exists on a missing label", Expression("tier", "Exists"), false },
        { "DoesNotExist", Expression("tier", "DoesNotExist"), true },
        { "DoesNotExist on a present label", Expression("env", "DoesNotExist"), false },
        {
            "labels and expressions together",
            new LabelSelector { MatchLabels = new() { ["env"] = "prod" }, MatchExpressions = [new() { Key = "region", Operator = "NotIn", Values = ["us"] }] },
            true
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Selector_matches(string name, LabelSelector selector, bool expected)
    {
        Assert.Null(selector.Validate());
        Assert.True(expected == selector.Matches(ProdEu), name);
    }

    [Theory]
    [InlineData("In", null, "selector.matchExpressions[0].values: operator In needs at least one value")]
    [InlineData("Exists", "x", "selector.matchExpressions[0].values: operator Exists takes no values")]
    [InlineData("Equals", "x", "selector.matchExpressions[0].operator: 'Equals' is not an operator; use In, NotIn, Exists or DoesNotExist")]
    public void Invalid_requirements_are_named(string @operator, string? value, string expected)
    {
        var selector = new LabelSelector { MatchExpressions = [new() { Key = "env", Operator = @operator, Values = value is null ? null : [value] }] };

        Assert.StartsWith(expected, selector.Validate());
        if (@operator == "Equals")
        {
            Assert.False(selector.Matches(ProdEu)); // an unknown operator never selects
        }
    }

    private static LabelSelector Expression(string key, string @operator, params string[] values) =>
        new() { MatchExpressions = [new() { Key = key, Operator = @operator, Values = values.Length == 0 ? null : [.. values] }] };
}
