namespace IkeSharp.Crypto;

/// <summary>The public-key algorithm a signature scheme needs.</summary>
public enum SignatureKeyAlgorithm
{
    Rsa,
    Ecdsa,
}
