using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// Checks a peer's signature AUTH payload against its public key. For DIGITAL_SIGNATURE the peer's
/// AlgorithmIdentifier is parsed and must name one of the schemes local policy accepts.
/// </summary>
public sealed class SignatureVerifier
{
    /// <param name="acceptedSchemes">The RFC 7427 schemes a peer may use with DIGITAL_SIGNATURE.</param>
    public SignatureVerifier(IEnumerable<SignatureScheme> acceptedSchemes)
    {
        ArgumentNullException.ThrowIfNull(acceptedSchemes);
        AcceptedSchemes = acceptedSchemes.Distinct().ToArray();
    }

    /// <summary>A verifier accepting every implemented scheme.</summary>
    public static SignatureVerifier AcceptingAll { get; } = new(SignatureScheme.All);

    public IReadOnlyList<SignatureScheme> AcceptedSchemes { get; }

    /// <summary>
    /// Verifies <paramref name="authenticationData"/> (the AUTH payload after its method and RESERVED
    /// octets) over <paramref name="octets"/>; on failure <paramref name="failure"/> says why, for the log.
    /// Methods other than DIGITAL_SIGNATURE fix their own algorithm; whether to allow them is the caller's policy.
    /// </summary>
    public bool Verify(
        AuthenticationMethod method,
        AsymmetricAlgorithm publicKey,
        ReadOnlySpan<byte> octets,
        ReadOnlySpan<byte> authenticationData,
        [NotNullWhen(false)] out string? failure)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var signature = authenticationData;
        SignatureOperation? operation;
        if (method == AuthenticationMethod.DIGITAL_SIGNATURE)
        {
            if (!TryReadScheme(authenticationData, out var scheme, out signature, out failure))
            {
                return false;
            }

            operation = SignatureOperation.ForScheme(scheme);
        }
        else if (!SignatureOperation.TryForMethod(method, out operation))
        {
            failure = $"authentication method {method} is not a supported signature method";
            return false;
        }

        failure = operation.CheckKey(publicKey);
        if (failure is not null)
        {
            return false;
        }

        if (!operation.Verify(publicKey, octets, signature))
        {
            failure = $"the {method} signature does not verify with the peer's public key";
            return false;
        }

        return true;
    }

    // RFC 7427 §3: Authentication Data = ASN.1 Length (one octet) | AlgorithmIdentifier | Signature Value.
    private bool TryReadScheme(
        ReadOnlySpan<byte> authenticationData,
        [NotNullWhen(true)] out SignatureScheme? scheme,
        out ReadOnlySpan<byte> signature,
        [NotNullWhen(false)] out string? failure)
    {
        scheme = null;
        signature = default;
        if (authenticationData.IsEmpty || authenticationData.Length <= 1 + authenticationData[0])
        {
            failure = "the DIGITAL_SIGNATURE data is too short for its AlgorithmIdentifier and a signature (RFC 7427 §3)";
            return false;
        }

        int length = authenticationData[0];
        if (!SignatureAlgorithmIdentifier.TryDecode(authenticationData.Slice(1, length), out scheme, out var reason))
        {
            failure = $"the peer's signature algorithm is not acceptable: {reason}";
            return false;
        }

        if (!AcceptedSchemes.Contains(scheme))
        {
            failure = $"the peer signed with {scheme.Name}, which local policy does not accept (accepted: {string.Join(", ", AcceptedSchemes)})";
            return false;
        }

        signature = authenticationData[(1 + length)..];
        failure = null;
        return true;
    }
}
