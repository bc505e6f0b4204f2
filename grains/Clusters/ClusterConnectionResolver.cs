using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Contracts.Clusters;
using Granary.Contracts.Resources;
using Granary.Grains.Kubernetes.Configuration;
using Granary.Grains.Kubernetes.Manifests;
using Granary.Grains.Secrets;

namespace Granary.Grains.Clusters;

/// <summary>
/// Turns a Cluster spec, or Flux's plain <c>spec.kubeConfig.secretRef</c>, into a <see cref="ClusterConnection"/> by reading
/// the referenced Secret from the management cluster. The result carries a fingerprint of everything it was built from
/// (spec and Secret data, hashed in memory only), so a changed spec or a rotated Secret is noticed and a new client built.
/// Kubeconfigs from Secrets may not run exec plugins or read files, as in Flux by default.
/// </summary>
public sealed class ClusterConnectionResolver(ISecretReader secrets)
{
    private static readonly string[] DefaultKubeConfigKeys = ["value", "value.yaml"];
    private static readonly string[] FileFields = ["certificate-authority", "client-certificate", "client-key", "tokenFile"];
    private static readonly JsonSerializerOptions SpecJson = new(JsonSerializerDefaults.Web);

    /// <summary>The connection of a Cluster as its grain describes it.</summary>
    public async Task<ResolvedConnection> ResolveAsync(ClusterConnectionInfo info, CancellationToken cancellationToken)
    {
        var spec = info.Spec;
        var owner = $"Cluster {info.Cluster}";
        if (ClusterSpecRules.Validate(spec) is { } invalid)
        {
            throw new ClusterConnectionException(ClusterReasons.InvalidSpec, $"{owner}: {invalid}");
        }

        var specPrint = JsonSerializer.Serialize(spec, SpecJson);
        var limits = spec.Limits ?? new ClusterLimits();
        if (spec.KubeConfig is { } kubeConfig)
        {
            var (connection, secretPrint) = await FromKubeConfigAsync(info.Namespace, kubeConfig.SecretRef, owner, "spec.kubeConfig.secretRef", cancellationToken);
            return new ResolvedConnection(connection, Fingerprint(specPrint, secretPrint), limits);
        }

        var reference = spec.SecretRef!;
        var data = await ReadAsync(info.Namespace, reference.Name, owner, "spec.secretRef", "with 'token' and 'ca.crt' (a ServiceAccount token Secret has both)", cancellationToken);
        if (!data.TryGetValue("token", out var token) || token.Length == 0)
        {
            throw new ClusterConnectionException(ClusterReasons.CredentialsNotFound,
                $"{owner} spec.secretRef: Secret {info.Namespace}/{reference.Name} has no key 'token' (keys: {Keys(data)}); add the bearer token under 'token'");
        }

        X509Certificate2Collection? authorities = null;
        if (data.TryGetValue("ca.crt", out var caPem) && caPem.Length > 0)
        {
            authorities = [];
            try
            {
                authorities.ImportFromPem(caPem);
            }
            catch (CryptographicException)
            {
                authorities.Clear();
            }

            if (authorities.Count == 0)
            {
                throw new ClusterConnectionException(ClusterReasons.InvalidKubeConfig,
                    $"{owner} spec.secretRef: key 'ca.crt' of Secret {info.Namespace}/{reference.Name} holds no PEM certificate; put the API server's CA certificate there (-----BEGIN CERTIFICATE-----)");
            }
        }

        var endpoint = new ClusterConnection
        {
            Server = new Uri(spec.Endpoint!),
            Source = $"{owner} (spec.endpoint, token from Secret {info.Namespace}/{reference.Name})",
            CertificateAuthorities = authorities,
            TlsServerName = spec.TlsServerName,
            Credentials = new StaticCredentials(new ClientCredentials(token, null)),
        };
        return new ResolvedConnection(endpoint, Fingerprint(specPrint, SecretPrint(data, ["token", "ca.crt"])), limits);
    }

    /// <summary>
    /// The connection of Flux's <c>spec.kubeConfig.secretRef</c> on a Kustomization or HelmRelease in <paramref name="namespace"/>;
    /// <paramref name="owner"/> (e.g. <c>Kustomization apps/web</c>) is named in errors.
    /// </summary>
    public async Task<ResolvedConnection> ResolveKubeConfigAsync(string @namespace, SecretKeyReference secretRef, string owner, CancellationToken cancellationToken)
    {
        var (connection, secretPrint) = await FromKubeConfigAsync(@namespace, secretRef, owner, "spec.kubeConfig.secretRef", cancellationToken);
        return new ResolvedConnection(connection, Fingerprint(JsonSerializer.Serialize(secretRef, SpecJson), secretPrint), new ClusterLimits());
    }

    private async Task<(ClusterConnection Connection, string SecretPrint)> FromKubeConfigAsync(string @namespace, SecretKeyReference reference, string owner, string field,
        CancellationToken cancellationToken)
    {
        var secret = $"{@namespace}/{reference.Name}";
        var data = await ReadAsync(@namespace, reference.Name, owner, field, "with the kubeconfig under key 'value'", cancellationToken);
        string? key = reference.Key is { Length: > 0 } named ? named : DefaultKubeConfigKeys.FirstOrDefault(data.ContainsKey);
        if (key is null || !data.TryGetValue(key, out var yaml) || yaml.Trim().Length == 0)
        {
            var wanted = reference.Key is { Length: > 0 } ? $"key '{reference.Key}'" : "key 'value' or 'value.yaml'";
            throw new ClusterConnectionException(ClusterReasons.CredentialsNotFound,
                $"{owner} {field}: Secret {secret} has no {wanted} (keys: {Keys(data)}); put the kubeconfig there, or name its key in {field}.key");
        }

        var source = $"kubeconfig in Secret {secret} key '{key}'";
        try
        {
            RefuseUnsafe(ManifestReader.ReadMapping(yaml, source), source);
            // No file may be read (RefuseUnsafe), so the base directory is never used.
            return (KubeconfigLoader.Parse(yaml, source, Path.GetTempPath()), SecretPrint(data, [key]));
        }
        catch (Exception e) when (e is KubernetesConfigurationException or ManifestException)
        {
            throw new ClusterConnectionException(ClusterReasons.InvalidKubeConfig, $"{owner} {field}: {e.Message}");
        }
    }

    private async Task<IReadOnlyDictionary<string, string>> ReadAsync(string @namespace, string name, string owner, string field, string shape, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string>? data;
        try
        {
            data = await secrets.ReadAsync(@namespace, name, cancellationToken);
        }
        catch (SecretReferenceException e)
        {
            throw new ClusterConnectionException(ClusterReasons.CredentialsNotFound, $"{owner} {field}: {e.Message}");
        }

        return data ?? throw new ClusterConnectionException(ClusterReasons.CredentialsNotFound,
            $"{owner} {field}: Secret {@namespace}/{name} does not exist; create it {shape}");
    }

    /// <summary>Exec plugins would run commands named by whoever writes the Secret; file references would read the silo's disk.</summary>
    private static void RefuseUnsafe(JsonObject config, string source)
    {
        foreach (var (list, entryField) in new[] { ("users", "user"), ("clusters", "cluster") })
        {
            foreach (var entry in (config[list] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (entry[entryField] is not JsonObject body)
                {
                    continue;
                }

                var name = (entry["name"] as JsonValue)?.ToString() ?? "?";
                if (body.ContainsKey("exec") || body.ContainsKey("auth-provider"))
                {
                    throw new KubernetesConfigurationException(
                        $"{source}: {list}[{name}].{entryField}.exec runs a credential plugin, which kubeconfigs from Secrets may not do (as in Flux); put a token or client certificate in the kubeconfig");
                }

                if (FileFields.FirstOrDefault(body.ContainsKey) is { } file)
                {
                    throw new KubernetesConfigurationException(
                        $"{source}: {list}[{name}].{entryField}.{file} refers to a file, which kubeconfigs from Secrets may not do; embed it ({(file == "tokenFile" ? "token" : file + "-data")})");
                }
            }
        }
    }

    private static string Keys(IReadOnlyDictionary<string, string> data) => data.Count == 0 ? "none" : string.Join(", ", data.Keys.Order(StringComparer.Ordinal));

    /// <summary>A hash of the Secret values a connection uses; kept in memory to notice rotation, never stored or logged.</summary>
    private static string SecretPrint(IReadOnlyDictionary<string, string> data, IEnumerable<string> keys)
    {
        var text = new StringBuilder();
        foreach (var key in keys)
        {
            text.Append(key).Append('\0').Append(data.GetValueOrDefault(key) ?? "").Append('\0');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Fingerprint(string spec, string secret) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(spec + "\0" + secret)));
}

/// <summary>A usable connection, the fingerprint of what it was built from, and the cluster's request limits.</summary>
public sealed record ResolvedConnection(ClusterConnection Connection, string Fingerprint, ClusterLimits Limits);
