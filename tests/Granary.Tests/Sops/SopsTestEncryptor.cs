using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Grains.Resources;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Granary.Tests.Sops;

/// <summary>
/// A test-only stand-in for <c>sops --encrypt --age r1,r2 --encrypted-regex '^(data|stringData)$'</c> (sops is
/// not packaged for Debian): AES-256-GCM values with 32-byte IVs under the path AAD, the data key encrypted to
/// each recipient by the real <c>age -a</c> binary, and the SHA-512 MAC over all values in order. Written
/// apart from the product code on purpose, so the two check each other.
/// </summary>
internal static class SopsTestEncryptor
{
    /// <summary>The regex the task's sops command line uses.</summary>
    public const string SecretFieldsRegex = "^(data|stringData)$";

    /// <summary>Encrypts the first document of <paramref name="yaml"/> for the recipients.</summary>
    public static JsonObject Encrypt(string yaml, params string[] recipients) => EncryptMatching(yaml, SecretFieldsRegex, recipients);

    /// <summary>Encrypts the first document of <paramref name="yaml"/>, encrypting values under keys matching <paramref name="encryptedRegex"/>.</summary>
    public static JsonObject EncryptMatching(string yaml, string encryptedRegex, params string[] recipients)
    {
        var regex = new Regex(encryptedRegex);
        var document = EncryptWhere(yaml, path => path.Any(regex.IsMatch), recipients);
        document["sops"]!["encrypted_regex"] = encryptedRegex;
        return document;
    }

    /// <summary>Encrypts like sops without a rule option: every value except those under a key ending in <c>_unencrypted</c>.</summary>
    public static JsonObject EncryptByDefaultRule(string yaml, params string[] recipients) =>
        EncryptWhere(yaml, path => !path.Any(key => key.EndsWith("_unencrypted", StringComparison.Ordinal)), recipients);

    private static JsonObject EncryptWhere(string yaml, Func<List<string>, bool> encrypts, string[] recipients)
    {
        var document = (JsonObject)YamlToJson.ParseDocuments(yaml)[0]!;
        var dataKey = RandomNumberGenerator.GetBytes(32);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        Walk(document, [], encrypts, dataKey, hash);

        var lastModified = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var mac = Convert.ToHexString(hash.GetHashAndReset());
        var age = new JsonArray();
        foreach (var recipient in recipients)
        {
            age.Add(new JsonObject
            {
                ["recipient"] = recipient,
                ["enc"] = Encoding.ASCII.GetString(AgeTools.Encrypt(dataKey, [recipient], armor: true)),
            });
        }

        document["sops"] = new JsonObject
        {
            ["age"] = age,
            ["lastmodified"] = lastModified,
            ["mac"] = EncryptValue(mac, "str", dataKey, lastModified),
            ["version"] = "3.10.2",
        };
        return document;
    }

    /// <summary>The sops form of one value: AES-256-GCM with a 32-byte IV, as sops' aes cipher writes it.</summary>
    public static string EncryptValue(string plaintext, string type, byte[] dataKey, string additionalData)
    {
        var iv = RandomNumberGenerator.GetBytes(32);
        var gcm = new GcmBlockCipher(new AesEngine());
        gcm.Init(true, new AeadParameters(new KeyParameter(dataKey), 128, iv, Encoding.UTF8.GetBytes(additionalData)));
        var input = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[gcm.GetOutputSize(input.Length)];
        var length = gcm.ProcessBytes(input, 0, input.Length, output, 0);
        gcm.DoFinal(output, length);
        return $"ENC[AES256_GCM,data:{Convert.ToBase64String(output[..^16])},iv:{Convert.ToBase64String(iv)},tag:{Convert.ToBase64String(output[^16..])},type:{type}]";
    }

    private static void Walk(JsonNode? node, List<string> path, Func<List<string>, bool> encrypts, byte[] dataKey, IncrementalHash hash)
    {
        switch (node)
        {
            case JsonObject mapping:
                foreach (var (key, child) in mapping.ToList())
                {
                    path.Add(key);
                    if (child is JsonValue leaf && Leaf(leaf, path, encrypts, dataKey, hash) is var encrypted && !ReferenceEquals(encrypted, leaf))
                    {
                        mapping[key] = encrypted;
                    }
                    else if (child is not JsonValue)
                    {
                        Walk(child, path, encrypts, dataKey, hash);
                    }

                    path.RemoveAt(path.Count - 1);
                }

                break;
            case JsonArray sequence:
                for (var i = 0; i < sequence.Count; i++)
                {
                    if (sequence[i] is JsonValue leaf && Leaf(leaf, path, encrypts, dataKey, hash) is var encrypted && !ReferenceEquals(encrypted, leaf))
                    {
                        sequence[i] = encrypted;
                    }
                    else if (sequence[i] is not JsonValue)
                    {
                        Walk(sequence[i], path, encrypts, dataKey, hash);
                    }
                }

                break;
        }
    }

    private static JsonNode Leaf(JsonValue leaf, List<string> path, Func<List<string>, bool> encrypts, byte[] dataKey, IncrementalHash hash)
    {
        var (text, type) = leaf.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.True => ("True", "bool"),
            System.Text.Json.JsonValueKind.False => ("False", "bool"),
            System.Text.Json.JsonValueKind.Number when leaf.TryGetValue<long>(out var integer) => (integer.ToString(CultureInfo.InvariantCulture), "int"),
            System.Text.Json.JsonValueKind.Number => (leaf.GetValue<double>().ToString("R", CultureInfo.InvariantCulture), "float"),
            _ => (leaf.GetValue<string>(), "str"),
        };
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        if (!encrypts(path) || text.Length == 0)
        {
            return leaf;
        }

        return JsonValue.Create(EncryptValue(text, type, dataKey, string.Join(':', path) + ":"));
    }
}
