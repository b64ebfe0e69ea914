// The lab is Linux network namespaces.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
