using Granary.Grains.Build.Substitution;

namespace Granary.Tests.Build;

public sealed class Variables_are_substituted_as_flux_does
{
    private static readonly Dictionary<string, string> Vars = new()
    {
        ["cluster_env"] = "prod",
        ["region"] = "eu-west-1",
        ["replicas"] = "3",
        ["empty"] = "",
    };

    [Theory]
    [InlineData("env: ${cluster_env}", "env: prod")]
    [InlineData("replicas: ${replicas}", "replicas: 3")]
    [InlineData("name: app-${cluster_env}-${region}", "name: app-prod-eu-west-1")]
    [InlineData("tier: ${tier:=frontend}", "tier: frontend")]
    [InlineData("tier: ${tier:-frontend}", "tier: frontend")]
    [InlineData("env: ${cluster_env:=dev}", "env: prod")]
    [InlineData("env: ${empty:=fallback}", "env: fallback")]
    [InlineData("short: ${region:0:2}", "short: eu")]
    [InlineData("tail: ${region:3}", "tail: west-1")]
    [InlineData("dash: ${region/-/_}", "dash: eu_west_1")]
    [InlineData("missing: '${nope}'", "missing: ''")]
    [InlineData("kept: $${cluster_env}", "kept: ${cluster_env}")]
    [InlineData("shell: echo $HOME $1", "shell: echo $HOME $1")]
    [InlineData("price: $5 and ${cluster_env}", "price: $5 and prod")]
    public void Expressions_evaluate(string text, string expected) =>
        Assert.Equal(expected, VariableSubstitution.Substitute(text, Vars));

    [Fact]
    public void Strict_mode_names_the_unset_variable_and_the_fix()
    {
        var error = Assert.Throws<SubstitutionException>(() => VariableSubstitution.Substitute("a: ${missing_var}", Vars, strict: true));
        Assert.Contains("'missing_var'", error.Message);
        Assert.Contains("postBuild.substitute", error.Message);
    }

    [Theory]
    [InlineData("a: ${not closed")]
    [InlineData("a: ${bad-name}")]
    [InlineData("a: ${}")]
    public void Malformed_expressions_are_errors(string text) =>
        Assert.Throws<SubstitutionException>(() => VariableSubstitution.Substitute(text, Vars));

    [Theory]
    [InlineData("cluster_env", true)]
    [InlineData("_x1", true)]
    [InlineData("1x", false)]
    [InlineData("a-b", false)]
    public void Variable_names_are_checked(string name, bool valid) => Assert.Equal(valid, VariableSubstitution.IsValidName(name));
}
