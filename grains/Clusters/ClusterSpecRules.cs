using Granary.Contracts.Resources;

namespace Granary.Grains.Clusters;

/// <summary>What the JSON shape cannot say about a Cluster spec: one way to connect, an https endpoint, positive limits.</summary>
public static class ClusterSpecRules
{
    /// <summary>Null when <paramref name="spec"/> is usable; otherwise the field and the fix.</summary>
    public static string? Validate(ClusterSpec spec)
    {
        if (spec.KubeConfig is not null && spec.Endpoint is not null)
        {
            return "spec.kubeConfig and spec.endpoint are both set; use one: a kubeConfig Secret, or an endpoint with a token secretRef";
        }

        if (spec.KubeConfig is null && spec.Endpoint is null)
        {
            return "spec: say how to connect: spec.kubeConfig.secretRef (a Secret with a kubeconfig under 'value'), or spec.endpoint with spec.secretRef (a Secret with 'token' and 'ca.crt')";
        }

        if (spec.KubeConfig is not null && (spec.SecretRef is not null || spec.TlsServerName is not null))
        {
            return $"spec.{(spec.SecretRef is not null ? "secretRef" : "tlsServerName")}: only used with spec.endpoint; with spec.kubeConfig the kubeconfig says it, so remove this field";
        }

        if (spec.KubeConfig is { SecretRef.Name: null or "" })
        {
            return "spec.kubeConfig.secretRef.name: required; name the Secret holding the kubeconfig";
        }

        if (spec.Endpoint is { } endpoint)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "https" || !string.IsNullOrEmpty(uri.Query))
            {
                return $"spec.endpoint: '{endpoint}' is not an https URL of an API server; write it as https://host:port";
            }

            if (spec.SecretRef is not { Name.Length: > 0 })
            {
                return "spec.secretRef: required with spec.endpoint; name a Secret with 'token' (and 'ca.crt' unless the server's certificate is publicly trusted)";
            }
        }

        return spec.Limits switch
        {
            { Concurrency: < 1 } => "spec.limits.concurrency: must be at least 1",
            { Qps: <= 0 } => "spec.limits.qps: must be above 0",
            { Burst: < 1 } => "spec.limits.burst: must be at least 1",
            _ => null,
        };
    }
}
