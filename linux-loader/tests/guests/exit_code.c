// Returns CODE from main.
int main(void) { return CODE; }
