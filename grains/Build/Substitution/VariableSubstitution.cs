using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Granary.Grains.Build.Substitution;

/// <summary>
/// Flux's post-build variable substitution on manifest text: <c>${var}</c>, <c>${var:=default}</c> (and
/// <c>:-</c>), <c>${var:offset}</c>, <c>${var:offset:length}</c>, <c>${var/find/replace}</c>; <c>$${var}</c> is an
/// escape that leaves <c>${var}</c> in the output. Only the braced form is substituted, so shell snippets
/// with <c>$VAR</c> in ConfigMaps survive. Unset variables without a default become empty, as in Flux
/// (or an error in strict mode).
/// </summary>
public static partial class VariableSubstitution
{
    /// <summary>Checks variable names as Flux does: a letter or underscore, then letters, digits, underscores.</summary>
    public static bool IsValidName(string name) => ValidName().IsMatch(name);

    /// <summary>Substitutes <paramref name="variables"/> into <paramref name="text"/>.</summary>
    /// <exception cref="SubstitutionException">A malformed expression, or an unset variable in strict mode.</exception>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> variables, bool strict = false)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return text;
        }

        var output = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var dollar = text.IndexOf('$', i);
            if (dollar < 0)
            {
                output.Append(text, i, text.Length - i);
                break;
            }

            output.Append(text, i, dollar - i);
            if (dollar + 2 < text.Length && text[dollar + 1] == '$' && text[dollar + 2] == '{')
            {
                // $${var} → ${var}, left alone.
                var end = text.IndexOf('}', dollar + 3);
                var stop = end < 0 ? text.Length : end + 1;
                output.Append(text, dollar + 1, stop - dollar - 1);
                i = stop;
                continue;
            }

            if (dollar + 1 < text.Length && text[dollar + 1] == '{')
            {
                var end = text.IndexOf('}', dollar + 2);
                if (end < 0)
                {
                    throw new SubstitutionException($"'{Excerpt(text, dollar)}' opens a variable with '${{' but never closes it with '}}'");
                }

                output.Append(Evaluate(text[(dollar + 2)..end], variables, strict));
                i = end + 1;
                continue;
            }

            output.Append('$');
            i = dollar + 1;
        }

        return output.ToString();
    }

    private static string Evaluate(string expression, IReadOnlyDictionary<string, string> variables, bool strict)
    {
        var match = Expression().Match(expression);
        if (!match.Success)
        {
            throw new SubstitutionException($"'${{{expression}}}' is not a variable expression; write ${{name}}, ${{name:=default}}, ${{name:offset:length}} or ${{name/find/replace}} with a name of letters, digits and '_'");
        }

        var name = match.Groups["name"].Value;
        var found = variables.TryGetValue(name, out var value);
        if (match.Groups["default"].Success)
        {
            return found && value!.Length > 0 ? value : match.Groups["default"].Value;
        }

        if (!found)
        {
            if (strict)
            {
                throw new SubstitutionException($"variable '{name}' is not set and has no default; set it in postBuild.substitute or substituteFrom, or write ${{{name}:=default}}");
            }

            value = string.Empty;
        }

        if (match.Groups["offset"].Success)
        {
            var offset = int.Parse(match.Groups["offset"].Value, CultureInfo.InvariantCulture);
            offset = offset < 0 ? Math.Max(0, value!.Length + offset) : Math.Min(offset, value!.Length);
            var length = match.Groups["length"].Success ? int.Parse(match.Groups["length"].Value, CultureInfo.InvariantCulture) : value.Length - offset;
            return value.Substring(offset, Math.Clamp(length, 0, value.Length - offset));
        }

        if (match.Groups["find"].Success)
        {
            var find = match.Groups["find"].Value;
            return find.Length == 0 ? value! : value!.Replace(find, match.Groups["replace"].Value, StringComparison.Ordinal);
        }

        return value!;
    }

    private static string Excerpt(string text, int at) => text.Substring(at, Math.Min(40, text.Length - at)).Split('\n')[0];

    [GeneratedRegex("^[_a-zA-Z][_a-zA-Z0-9]*$")]
    private static partial Regex ValidName();

    [GeneratedRegex(@"^(?<name>[_a-zA-Z][_a-zA-Z0-9]*)(?::[=-](?<default>[^}]*)|:(?<offset>-?\d+)(?::(?<length>\d+))?|/(?<find>[^/]*)/(?<replace>[^}]*))?$")]
    private static partial Regex Expression();
}

/// <summary>A manifest's variable expression cannot be evaluated.</summary>
public sealed class SubstitutionException(string message) : Exception(message);
