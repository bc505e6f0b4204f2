using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Granary.Grains.Build.Sops;

/// <summary>
/// Decrypts sops-encrypted manifests with age identities, as Flux's kustomize-controller does after the
/// kustomize build: opens the data key from <c>sops.age</c>, decrypts every encrypted value under its path,
/// checks <c>sops.mac</c>, and returns the object without its <c>sops</c> block. The identities stay the
/// caller's to dispose.
/// </summary>
public sealed partial class SopsDecryptor(IReadOnlyList<AgeIdentity> identities)
{
    private const int DataKeySize = 32;

    /// <summary>Whether the object carries a sops block (and so must be decrypted before it is applied).</summary>
    public static bool IsEncrypted(JsonObject manifest) => manifest["sops"] is JsonObject sops && sops.ContainsKey("mac");

    /// <summary>
    /// Returns a decrypted copy of <paramref name="manifest"/> without its <c>sops</c> block; throws
    /// <see cref="SopsDecryptionException"/> naming the object and the problem. The input is not changed.
    /// </summary>
    public JsonObject Decrypt(JsonObject manifest)
    {
        var name = ObjectName(manifest);
        if (manifest["sops"] is not JsonObject sops)
        {
            throw new SopsDecryptionException(name, SopsFailureReason.MalformedMetadata, "sops", "sops: the object has no sops block, so it is not sops-encrypted");
        }

        SopsMetadata metadata;
        try
        {
            metadata = SopsMetadata.Read(sops);
        }
        catch (SopsMetadataException exception)
        {
            throw new SopsDecryptionException(name, SopsFailureReason.MalformedMetadata, exception.Field, $"sops: {exception.Message}");
        }

        var dataKey = UnwrapDataKey(name, metadata);
        try
        {
            var document = manifest.DeepClone().AsObject();
            document.Remove("sops");
            using var mac = new SopsMac(metadata.MacOnlyEncrypted);
            new TreeWalk(name, dataKey, metadata.Rules, mac).Object(document, [], string.Empty);
            VerifyMac(name, metadata, dataKey, mac);
            return document;
        }
        finally
        {
            Array.Clear(dataKey);
        }
    }

    private byte[] UnwrapDataKey(string name, SopsMetadata metadata)
    {
        if (metadata.AgeRecipients.Count == 0)
        {
            var kinds = metadata.OtherKeyKinds.Count > 0 ? string.Join(", ", metadata.OtherKeyKinds) : "no key at all";
            throw new SopsDecryptionException(name, SopsFailureReason.NoMatchingKey, "sops.age",
                $"sops: the object is encrypted for {kinds} but not for age; Granary decrypts with age keys only, so re-encrypt it with `sops --age <recipient>`");
        }

        // Entries naming one of our recipients go first; the rest are still tried, since the recipient field is only a label.
        var ours = identities.Select(identity => identity.Recipient).ToHashSet(StringComparer.Ordinal);
        var order = Enumerable.Range(0, metadata.AgeRecipients.Count).OrderBy(i => ours.Contains(metadata.AgeRecipients[i].Recipient) ? 0 : 1);
        var decryptor = new AgeDecryptor(identities);
        var malformed = new List<string>();
        foreach (var i in order)
        {
            try
            {
                var dataKey = decryptor.Decrypt(Encoding.ASCII.GetBytes(metadata.AgeRecipients[i].EncryptedDataKey));
                if (dataKey.Length == DataKeySize)
                {
                    return dataKey;
                }

                Array.Clear(dataKey);
                malformed.Add($"sops.age[{i}].enc holds a data key of the wrong length");
            }
            catch (AgeNoIdentityMatchedException)
            {
            }
            catch (AgeFormatException exception)
            {
                malformed.Add($"sops.age[{i}].enc: {exception.Message}");
            }
        }

        if (malformed.Count > 0)
        {
            throw new SopsDecryptionException(name, SopsFailureReason.MalformedMetadata, "sops.age",
                $"sops: no age recipient could be opened: {string.Join("; ", malformed)}");
        }

        var recipients = string.Join(", ", metadata.AgeRecipients.Select(recipient => recipient.Recipient));
        throw new SopsDecryptionException(name, SopsFailureReason.NoMatchingKey, "sops.age",
            $"sops: none of the {identities.Count} age identities can decrypt the data key; the object is encrypted for {recipients}; "
            + "add the private key of one of these recipients to the decryption Secret (an entry ending in .agekey)");
    }

    private static void VerifyMac(string name, SopsMetadata metadata, byte[] dataKey, SopsMac mac)
    {
        var stored = SopsEncryptedValue.TryParse(metadata.Mac)
            ?? throw new SopsDecryptionException(name, SopsFailureReason.MalformedMetadata, "sops.mac", "sops: sops.mac is not an ENC[AES256_GCM,…] value");
        var plaintext = stored.TryDecrypt(dataKey, metadata.LastModified)
            ?? throw new SopsDecryptionException(name, SopsFailureReason.MacMismatch, "sops.mac",
                "sops: sops.mac does not authenticate with the data key and sops.lastmodified (the metadata was changed); re-encrypt the file with sops");
        if (!mac.Matches(Encoding.ASCII.GetString(plaintext)))
        {
            throw new SopsDecryptionException(name, SopsFailureReason.MacMismatch, "sops.mac",
                "sops: MAC mismatch: the values were changed, added, removed or reordered after encryption; edit the file with sops instead of by hand");
        }
    }

    private static string ObjectName(JsonObject manifest)
    {
        var kind = Text(manifest["kind"]) ?? "object";
        var metadata = manifest["metadata"] as JsonObject;
        var name = Text(metadata?["name"]) ?? "<unnamed>";
        var ns = Text(metadata?["namespace"]);
        return ns is null ? $"{kind} {name}" : $"{kind} {ns}/{name}";
    }

    // Without an encrypted_regex, sops encrypts kind and name too; never put their ciphertext in a message.
    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0
            ? text.StartsWith("ENC[", StringComparison.Ordinal) ? "<encrypted>" : text
            : null;

    [GeneratedRegex("^-?[0-9]+$")]
    private static partial Regex IntegerText();

    /// <summary>One pass over the document in order, decrypting encrypted leaves in place and feeding the MAC.</summary>
    private sealed class TreeWalk(string name, byte[] dataKey, SopsEncryptionRules rules, SopsMac mac)
    {
        public void Object(JsonObject node, List<string> keys, string display)
        {
            foreach (var (key, child) in node.ToList())
            {
                keys.Add(key);
                var replacement = Value(child, keys, display.Length == 0 ? key : $"{display}.{key}");
                if (!ReferenceEquals(replacement, child))
                {
                    node[key] = replacement;
                }

                keys.RemoveAt(keys.Count - 1);
            }
        }

        private JsonNode? Value(JsonNode? node, List<string> keys, string display)
        {
            switch (node)
            {
                case null:
                    // sops skips nulls: neither decrypted nor hashed.
                    return null;
                case JsonObject child:
                    Object(child, keys, display);
                    return child;
                case JsonArray array:
                    // Array positions are not part of sops paths (nor of the additional data).
                    for (var i = 0; i < array.Count; i++)
                    {
                        var item = array[i];
                        var replacement = Value(item, keys, $"{display}[{i}]");
                        if (!ReferenceEquals(replacement, item))
                        {
                            array[i] = replacement;
                        }
                    }

                    return array;
                case JsonValue leaf when rules.IsEncrypted(keys):
                    return Decrypt(leaf, keys, display);
                case JsonValue leaf:
                    AddPlain(leaf);
                    return leaf;
                default:
                    throw Failure(SopsFailureReason.MalformedValue, display, "is of an unknown JSON node type");
            }
        }

        private JsonNode Decrypt(JsonValue leaf, List<string> keys, string display)
        {
            if (leaf.GetValueKind() != JsonValueKind.String)
            {
                throw Failure(SopsFailureReason.MalformedValue, display,
                    "should be encrypted but is not a string; encrypt the file with sops (values under encrypted keys must be ENC[…] strings)");
            }

            var text = leaf.GetValue<string>();
            if (text.Length == 0)
            {
                // sops leaves empty strings as they are.
                mac.Add(text, encrypted: true);
                return leaf;
            }

            var value = SopsEncryptedValue.TryParse(text)
                ?? throw Failure(SopsFailureReason.MalformedValue, display,
                    "should be encrypted but is not a well-formed ENC[AES256_GCM,data:…,iv:…,tag:…,type:…] value; encrypt the file with sops");
            var plaintext = value.TryDecrypt(dataKey, string.Join(':', keys) + ":")
                ?? throw Failure(SopsFailureReason.ValueTampered, display,
                    "does not authenticate (AES-GCM tag mismatch): it was changed, moved to another key, or encrypted with another data key; re-encrypt the file with sops");
            try
            {
                return Typed(value.Type, plaintext, display);
            }
            finally
            {
                Array.Clear(plaintext);
            }
        }

        private JsonNode Typed(string type, byte[] plaintext, string display)
        {
            var text = Encoding.UTF8.GetString(plaintext);
            switch (type)
            {
                case "str":
                    mac.Add(text, encrypted: true);
                    return JsonValue.Create(text);
                case "bytes":
                    mac.Add(plaintext, encrypted: true);
                    return JsonValue.Create(text);
                case "int" or "int64":
                    var integer = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsedInteger)
                        ? parsedInteger
                        : throw Failure(SopsFailureReason.MalformedValue, display, $"is of type {type} but its plaintext is not an integer");
                    mac.Add(integer, encrypted: true);
                    return JsonValue.Create(integer);
                case "float":
                    var real = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsedReal)
                        ? parsedReal
                        : throw Failure(SopsFailureReason.MalformedValue, display, "is of type float but its plaintext is not a number");
                    mac.Add(real, encrypted: true);
                    return JsonValue.Create(real);
                case "bool":
                    // Go's strconv.ParseBool.
                    bool? flag = text switch
                    {
                        "1" or "t" or "T" or "true" or "True" or "TRUE" => true,
                        "0" or "f" or "F" or "false" or "False" or "FALSE" => false,
                        _ => null,
                    };
                    var boolean = flag ?? throw Failure(SopsFailureReason.MalformedValue, display, "is of type bool but its plaintext is not a boolean");
                    mac.Add(boolean, encrypted: true);
                    return JsonValue.Create(boolean);
                default:
                    throw Failure(SopsFailureReason.MalformedValue, display, $"has the unknown sops type '{type}' (expected str, int, float, bool or bytes)");
            }
        }

        private void AddPlain(JsonValue leaf)
        {
            switch (leaf.GetValueKind())
            {
                case JsonValueKind.String:
                    mac.Add(leaf.TryGetValue<string>(out var text) ? text : JsonSerializer.Deserialize<string>(leaf.ToJsonString())!, encrypted: false);
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    mac.Add(leaf.GetValueKind() == JsonValueKind.True, encrypted: false);
                    break;
                case JsonValueKind.Number:
                    // YAML integers are Go ints to sops and every other number a float64; the JSON text tells them apart.
                    var number = leaf.ToJsonString();
                    if (IntegerText().IsMatch(number) && long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                    {
                        mac.Add(integer, encrypted: false);
                    }
                    else
                    {
                        mac.Add(double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture), encrypted: false);
                    }

                    break;
            }
        }

        private SopsDecryptionException Failure(SopsFailureReason reason, string path, string problem) =>
            new(name, reason, path, $"sops: the value at {path} {problem}");
    }
}
