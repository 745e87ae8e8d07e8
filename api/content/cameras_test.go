package content

import "testing"

func TestSignCameraStreamBindsIDExpiryAndKey(t *testing.T) {
	key := []byte("k1")
	s := SignCameraStream(key, 7, 1000)
	if s == "" || s != SignCameraStream(key, 7, 1000) {
		t.Fatal("signature not deterministic")
	}
	for name, other := range map[string]string{
		"other id":     SignCameraStream(key, 8, 1000),
		"other expiry": SignCameraStream(key, 7, 1001),
		"other key":    SignCameraStream([]byte("k2"), 7, 1000),
	} {
		if other == s {
			t.Errorf("%s gives the same signature", name)
		}
	}
}
