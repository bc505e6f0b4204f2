using System.Net;
using Granary.Grains.Kubernetes.Client;
using Granary.Grains.Kubernetes.Objects;

namespace Granary.Grains.Clusters;

/// <summary>
/// One health check of a cluster: <c>/readyz</c> must answer ok, then <c>/version</c> gives the version. An invalid
/// credential fails both with 401 (authentication comes before the public health endpoints), so a pass also proves it.
/// </summary>
public static class ClusterProbe
{
    /// <summary>Probes through <paramref name="client"/>; failures become a reason and the client's message (which names the server, never a credential).</summary>
    public static async Task<ProbeResult> RunAsync(KubernetesClient client, CancellationToken cancellationToken)
    {
        try
        {
            var ready = (await client.GetHealthAsync("/readyz", cancellationToken)).Trim();
            if (ready != "ok")
            {
                return new ProbeResult.Failed(ClusterReasons.ServerNotReady, $"The API server {client.Connection.Server} answered /readyz with '{Shorten(ready)}' instead of ok.");
            }

            var version = await client.GetServerVersionAsync(cancellationToken);
            var gitVersion = ObjectMetadata.String(version["gitVersion"]);
            return gitVersion is { Length: > 0 }
                ? new ProbeResult.Connected(client.Connection.Server.ToString(), gitVersion, ObjectMetadata.String(version["platform"]))
                : new ProbeResult.Failed(ClusterReasons.ProbeFailed, $"The API server {client.Connection.Server} answered /version without gitVersion; is it a Kubernetes API server?");
        }
        catch (ClusterUnreachableException e)
        {
            return new ProbeResult.Failed(ClusterReasons.Unreachable, e.Message);
        }
        catch (UnauthorizedException e)
        {
            return new ProbeResult.Failed(ClusterReasons.AuthenticationFailed, e.Message);
        }
        catch (KubernetesStatusException e) when (e.StatusCode == HttpStatusCode.InternalServerError && e.Message.Contains("/readyz", StringComparison.Ordinal))
        {
            return new ProbeResult.Failed(ClusterReasons.ServerNotReady, e.Message);
        }
        catch (KubernetesException e)
        {
            return new ProbeResult.Failed(ClusterReasons.ProbeFailed, e.Message);
        }
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "..." : text;
}

/// <summary>What a probe found.</summary>
public abstract record ProbeResult
{
    /// <summary>Ready, at this server and version.</summary>
    public sealed record Connected(string Server, string Version, string? Platform) : ProbeResult;

    /// <summary>Not usable, with a reason code and a message.</summary>
    public sealed record Failed(string Reason, string Message) : ProbeResult;
}
