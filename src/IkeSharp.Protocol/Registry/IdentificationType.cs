namespace IkeSharp.Protocol;

/// <summary>IKEv2 Identification Payload ID Types (IANA; RFC 7296 §3.5).</summary>
public enum IdentificationType : byte
{
    ID_IPV4_ADDR = 1,
    ID_FQDN = 2,
    ID_RFC822_ADDR = 3,
    ID_IPV6_ADDR = 5,
    ID_DER_ASN1_DN = 9,
    ID_DER_ASN1_GN = 10,
    ID_KEY_ID = 11,
    ID_FC_NAME = 12,
    ID_NULL = 13,
}
