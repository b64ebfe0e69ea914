using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>
/// ENCR_AES_CBC with a separate integrity transform (RFC 7296 §3.14): encrypt-then-MAC, the MAC
/// covering the whole message from the first IKE header octet through the Pad Length.
/// </summary>
internal sealed class CbcSkProtection : SkProtection
{
    private readonly Aes _aes;
    private readonly IntegrityTransform _integrity;

    public CbcSkProtection(
        EncryptionAlgorithmInfo encryption, ReadOnlySpan<byte> encryptionKey, IntegrityAlgorithmInfo integrity, ReadOnlySpan<byte> integrityKey)
        : base(encryption.IvLength, integrity.IcvLength, encryption.BlockSize)
    {
        _aes = Aes.Create();
        _aes.SetKey(encryptionKey);
        _integrity = IntegrityTransform.Create(integrity, integrityKey);
    }

    private protected override void SealCore(Span<byte> message, int ivOffset, int plaintextLength)
    {
        // §3.14: the CBC IV MUST be random and unpredictable, so it comes from the CSPRNG, never a counter.
        var iv = message.Slice(ivOffset, IvSize);
        RandomNumberGenerator.Fill(iv);
        var plaintext = message.Slice(ivOffset + IvSize, plaintextLength);
        _aes.EncryptCbc(plaintext, iv, plaintext, PaddingMode.None);
        _integrity.Compute(message[..^IcvSize], message[^IcvSize..]);
    }

    private protected override bool OpenCore(Span<byte> message, int ivOffset, int ciphertextLength)
    {
        // Check the ICV before touching the ciphertext, in constant time so timing reveals nothing about it.
        Span<byte> expected = stackalloc byte[IntegrityTransform.MaxIcvSize];
        expected = expected[..IcvSize];
        _integrity.Compute(message[..^IcvSize], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, message[^IcvSize..]))
        {
            return false;
        }

        var ciphertext = message.Slice(ivOffset + IvSize, ciphertextLength);
        _aes.DecryptCbc(ciphertext, message.Slice(ivOffset, IvSize), ciphertext, PaddingMode.None);
        return true;
    }

    private protected override void DisposeCore()
    {
        _aes.Dispose();
        _integrity.Dispose();
    }
}
