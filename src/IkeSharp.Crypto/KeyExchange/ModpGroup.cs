using System.Diagnostics.CodeAnalysis;
using IkeSharp.Protocol;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Math;

namespace IkeSharp.Crypto;

/// <summary>
/// A MODP group with a safe prime and generator 2 (RFC 2409 §6.2, RFC 3526). The primes come from
/// BouncyCastle's named-group table rather than being retyped here, so a transcription slip is impossible.
/// </summary>
internal sealed class ModpGroup
{
    // Private exponent sizes are the "Strength Estimate 2" exponent sizes of RFC 3526 §8, twice the
    // group's higher strength estimate, so the exponent is never the weak link; a full-size exponent
    // would cost 3-6x per exponentiation for no security gain. Group 2 is not in RFC 3526: 160 bits is
    // twice its ~80-bit strength (RFC 3766 §5).
    private static readonly ModpGroup[] Groups =
    [
        new(KeyExchangeMethod.MODP_1024, DHStandardGroups.rfc2409_1024.P, exponentBits: 160, isLegacy: true),
        new(KeyExchangeMethod.MODP_1536, DHStandardGroups.rfc3526_1536.P, exponentBits: 240, isLegacy: true),
        new(KeyExchangeMethod.MODP_2048, DHStandardGroups.rfc3526_2048.P, exponentBits: 320, isLegacy: false),
        new(KeyExchangeMethod.MODP_3072, DHStandardGroups.rfc3526_3072.P, exponentBits: 420, isLegacy: false),
        new(KeyExchangeMethod.MODP_4096, DHStandardGroups.rfc3526_4096.P, exponentBits: 480, isLegacy: false),
        new(KeyExchangeMethod.MODP_6144, DHStandardGroups.rfc3526_6144.P, exponentBits: 540, isLegacy: false),
        new(KeyExchangeMethod.MODP_8192, DHStandardGroups.rfc3526_8192.P, exponentBits: 620, isLegacy: false),
    ];

    private ModpGroup(KeyExchangeMethod method, BigInteger prime, int exponentBits, bool isLegacy)
    {
        Method = method;
        Prime = prime;
        PrimeMinusOne = prime.Subtract(BigInteger.One);
        ModulusLength = (prime.BitLength + 7) / 8;
        ExponentBits = exponentBits;
        IsLegacy = isLegacy;
    }

    public static BigInteger Generator => BigInteger.Two;

    public KeyExchangeMethod Method { get; }

    public BigInteger Prime { get; }

    public BigInteger PrimeMinusOne { get; }

    /// <summary>Octets of the prime, and so of every public value and shared secret (RFC 7296 §3.4, §2.14).</summary>
    public int ModulusLength { get; }

    public int ExponentBits { get; }

    /// <summary>Groups RFC 8247 §2.4 says SHOULD NOT be used (1024 and 1536 bits).</summary>
    public bool IsLegacy { get; }

    public static bool TryGet(KeyExchangeMethod method, [NotNullWhen(true)] out ModpGroup? group)
    {
        group = Array.Find(Groups, g => g.Method == method);
        return group is not null;
    }
}
