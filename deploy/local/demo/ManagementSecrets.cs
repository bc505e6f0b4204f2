using System.Diagnostics;
using System.Text.Json.Nodes;
using Granary.Testing;

namespace Granary.Demo;

/// <summary>
/// What the demo puts on the management cluster before the fleet arrives, because it never goes into Git: the
/// <c>flux-system</c> namespace, the age key Secret <c>sops-age</c> (the demo key) and the production kubeconfig Secret.
/// </summary>
public static class ManagementSecrets
{
    /// <summary>The Secret the fleet's <c>spec.decryption.secretRef</c> names.</summary>
    public const string DecryptionSecret = "sops-age";

    /// <summary>The Secret the production Cluster's <c>spec.kubeConfig.secretRef</c> names.</summary>
    public const string ProductionKubeconfigSecret = "production-kubeconfig";

    /// <summary>Applies them with kubectl (server-side, field manager <c>granary-demo</c>).</summary>
    public static async Task ApplyAsync(string managementKubeconfig, string ageKeyFile, string? productionKubeconfig, CancellationToken cancellationToken)
    {
        var items = new JsonArray
        {
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "flux-system" } },
            Secret(DecryptionSecret, "age.agekey", await File.ReadAllTextAsync(ageKeyFile, cancellationToken)),
        };
        if (productionKubeconfig is not null)
        {
            items.Add(Secret(ProductionKubeconfigSecret, "value", await File.ReadAllTextAsync(productionKubeconfig, cancellationToken)));
        }

        var list = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = items };
        var start = new ProcessStartInfo(Tools.Kubectl) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--kubeconfig", managementKubeconfig, "apply", "--server-side", "--field-manager=granary-demo", "-f", "-" })
        {
            start.ArgumentList.Add(argument);
        }

        using var kubectl = Process.Start(start) ?? throw new InvalidOperationException("could not start kubectl");
        var output = kubectl.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = kubectl.StandardError.ReadToEndAsync(cancellationToken);
        await kubectl.StandardInput.WriteAsync(list.ToJsonString());
        kubectl.StandardInput.Close();
        await kubectl.WaitForExitAsync(cancellationToken);
        if (kubectl.ExitCode != 0)
        {
            // The message never includes the Secrets' contents: kubectl names objects, not values.
            throw new InvalidOperationException($"kubectl apply of flux-system, {DecryptionSecret} and {ProductionKubeconfigSecret} to {managementKubeconfig} failed ({kubectl.ExitCode}): {await errors}");
        }

        _ = await output;
    }

    private static JsonObject Secret(string name, string key, string value) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "flux-system" },
        ["type"] = "Opaque",
        ["stringData"] = new JsonObject { [key] = value },
    };
}
