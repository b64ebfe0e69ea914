namespace IkeSharp.Crypto;

/// <summary>
/// The keys of one ESP Child SA pair, taken from KEYMAT (RFC 7296 §2.17). Encryption keys include the
/// trailing salt for an AEAD; integrity keys are empty for an AEAD. Disposing zeroes them all.
/// </summary>
public sealed class ChildSaKeys : IDisposable
{
    internal ChildSaKeys(
        SecretBuffer encryptionKeyInitiatorToResponder,
        SecretBuffer integrityKeyInitiatorToResponder,
        SecretBuffer encryptionKeyResponderToInitiator,
        SecretBuffer integrityKeyResponderToInitiator)
    {
        EncryptionKeyInitiatorToResponder = encryptionKeyInitiatorToResponder;
        IntegrityKeyInitiatorToResponder = integrityKeyInitiatorToResponder;
        EncryptionKeyResponderToInitiator = encryptionKeyResponderToInitiator;
        IntegrityKeyResponderToInitiator = integrityKeyResponderToInitiator;
    }

    public SecretBuffer EncryptionKeyInitiatorToResponder { get; }

    public SecretBuffer IntegrityKeyInitiatorToResponder { get; }

    public SecretBuffer EncryptionKeyResponderToInitiator { get; }

    public SecretBuffer IntegrityKeyResponderToInitiator { get; }

    public void Dispose()
    {
        EncryptionKeyInitiatorToResponder.Dispose();
        IntegrityKeyInitiatorToResponder.Dispose();
        EncryptionKeyResponderToInitiator.Dispose();
        IntegrityKeyResponderToInitiator.Dispose();
    }
}
