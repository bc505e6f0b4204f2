using Granary.Silo.Configuration;
using YamlDotNet.RepresentationModel;

namespace Granary.Silo.Webhooks;

/// <summary>
/// Reads the config file's <c>receivers:</c> list: <c>{name, type, secretFrom: {env | file}, resources: [{kind,
/// namespace, name}]}</c>. Unknown keys, types and kinds are errors naming the entry and the field; secrets never
/// appear in errors.
/// </summary>
public static class ReceiverReader
{
    private static readonly string[] ReceiverKeys = ["name", "type", "secretFrom", "resources"];
    private static readonly string[] ResourceKeys = ["kind", "namespace", "name"];

    /// <summary>The receivers listed in <paramref name="node"/> of the config file <paramref name="path"/>.</summary>
    /// <exception cref="ConfigurationException">An entry is invalid; the message names it, the field and the fix.</exception>
    public static IReadOnlyList<Receiver> Read(string path, YamlNode node, string baseDirectory, Func<string, string?> environment)
    {
        var receivers = new List<Receiver>();
        foreach (var (at, fields) in ConfigurationLoader.Entries(node, $"{path}: receivers", ReceiverKeys))
        {
            var name = ConfigurationLoader.Scalar(fields, "name", at);
            if (!IsPathSegment(name))
            {
                throw new ConfigurationException($"{at}.name: '{name}' is not a receiver name; use lower-case letters, digits and '-' (it is the path /hooks/<name>)");
            }

            if (receivers.Any(r => r.Name == name))
            {
                throw new ConfigurationException($"{at}.name: receiver name '{name}' is used twice; each receiver needs its own path /hooks/<name>");
            }

            var typeText = ConfigurationLoader.Scalar(fields, "type", at);
            var type = typeText switch
            {
                "github" => ReceiverType.GitHub,
                "gitlab" => ReceiverType.GitLab,
                "generic" => ReceiverType.Generic,
                _ => throw new ConfigurationException($"{at}.type: '{typeText}' is not a receiver type; use github, gitlab or generic"),
            };
            var resources = Resources(fields, at);
            var secret = ConfigurationLoader.Secret(fields, "secretFrom", at, $"receiver '{name}'", baseDirectory, environment);
            receivers.Add(new Receiver(name, type, new ReceiverSecret(secret), resources));
        }

        return receivers;
    }

    private static List<ReceiverResource> Resources(Dictionary<string, YamlNode> fields, string at)
    {
        if (!fields.TryGetValue("resources", out var node) || node is YamlSequenceNode { Children.Count: 0 })
        {
            throw new ConfigurationException($"{at}.resources: required; list the sources to reconcile as {{kind, namespace, name}} with kind {string.Join(" or ", ReceiverResource.Kinds)}");
        }

        var resources = new List<ReceiverResource>();
        foreach (var (entryAt, resourceFields) in ConfigurationLoader.Entries(node, $"{at}.resources", ResourceKeys))
        {
            var kind = ConfigurationLoader.Scalar(resourceFields, "kind", entryAt);
            if (!ReceiverResource.Kinds.Contains(kind))
            {
                throw new ConfigurationException($"{entryAt}.kind: '{kind}' cannot be reconciled by a receiver; use {string.Join(" or ", ReceiverResource.Kinds)}");
            }

            resources.Add(new ReceiverResource(kind, ConfigurationLoader.Scalar(resourceFields, "namespace", entryAt), ConfigurationLoader.Scalar(resourceFields, "name", entryAt)));
        }

        return resources;
    }

    private static bool IsPathSegment(string name) =>
        name.Length is > 0 and <= 63 && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0])) && name[^1] != '-'
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
