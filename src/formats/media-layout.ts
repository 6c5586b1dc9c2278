// Where things are on the install media. The kickstart reads them where Anaconda mounts the
// media; fyr release reserves and fyr build fills them as ISO paths. One definition: the ISO
// paths are the mount-relative ones with a leading slash.

// Where Anaconda mounts the install media.
export const MEDIA_ROOT = '/run/install/repo';
export const MEDIA_DIR = 'fyr';
// The site area fyr build fills: a tar whose bundle/ is laid onto the bastion.
export const MEDIA_SITE_TAR = `${MEDIA_DIR}/site.tar`;
export const MEDIA_AGENT = `${MEDIA_DIR}/agent`;
// The composer image-installer payload (osbuild puts it at the root of its ISO).
export const MEDIA_LIVEIMG = 'liveimg.tar.gz';

// The same places as ISO 9660 paths, and the ones only the ISO code names.
export const KS_PATH = '/ks.cfg';
export const SITE_AREA_PATH = `/${MEDIA_SITE_TAR}`;
export const RELEASE_JSON_PATH = '/release.json';
export const PAYLOAD_DIR = `/${MEDIA_DIR}/payload`;
export const AGENT_PATH = `/${MEDIA_AGENT}/fyr-agent.mjs`;
// One sector placed just before the first embed area. Its last 64 bytes are MD5's padding for
// the image up to them, which lets node:crypto's MD5 (native, faster than fyr's resumable one)
// hash the release and still yield the resumable state at the area (isomd5.ts, nativeMd5).
export const MD5_PAD_PATH = `/${MEDIA_DIR}/md5-pad`;
export const MD5_PAD_SIZE = 2048;
