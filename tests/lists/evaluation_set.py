"""A labelled evaluation set for list matching (synthetic names): cases on file, and list rows with the case
each row names (None: nobody on file). Every category of the issue has rows; bench/list_matching.py and
tests/lists/test_evaluation.py score the top suggestion per row.

Case: (key, full name, sex HTCDS, birth year or None, estimated age or None, citizenship)
Row: (category, name as on the list, sex as written, birth cell as written, nationality as written, case key)
"""

PUBLISHED = "2025-02-20"

CASES = [
    ("vn1", "Phạm Xuân Khoa", "Masculine", 1994, None, "VN"),
    ("vn2", "Nguyễn Thị Mai", "Feminine", 1998, None, "VN"),
    ("vn3", "Đặng Quang Huy", "Masculine", 1990, None, "VN"),
    ("vn4", "Trần Văn Nam", "Masculine", 1987, None, "VN"),
    ("in1", "Gopal Tak", "Masculine", 1992, None, "IN"),
    ("in2", "Priya Sharma", "Feminine", None, 27, "IN"),
    ("cn1", "李伟", "Masculine", 1991, None, "CN"),
    ("cn2", "刘强", "Masculine", 1985, None, "CN"),
    ("cn3", "Zhang Xiaoming", "Masculine", 1996, None, "CN"),
    ("cn4", "区家明", "Masculine", 1989, None, "CN"),
    ("cn5", "王芳", "Feminine", 1993, None, "CN"),
    ("th1", "สมพงษ์ รักดี", "Masculine", 1988, None, "TH"),
    ("th2", "Somchai Jaidee", "Masculine", 1984, None, "TH"),
    ("mm1", "မင်းအေးမြတ်", "Masculine", 1995, None, "MM"),
    ("mm2", "Aung Ko Ko", "Masculine", 1997, None, "MM"),
    ("mm3", "Khin Su Naing", "Feminine", 1990, None, "MM"),
    ("id1", "Budi Santoso", "Masculine", 1993, None, "ID"),
    ("ph1", "Maria Santos Reyes", "Feminine", 1992, None, "PH"),
    ("et1", "Abebe Bekele", "Masculine", 1994, None, "ET"),
    ("vn5", "Lê Minh Tuấn", "Masculine", 1999, None, "VN"),
    ("vn6", "Hoàng Thị Lan", "Feminine", 1996, None, "VN"),
    ("cn6", "陈静", "Feminine", 1997, None, "CN"),
    ("kh1", "Sok Dara", "Masculine", 1991, None, "KH"),
    ("la1", "Khamphone Sisavath", "Masculine", 1990, None, "LA"),
    ("vn7", "Vũ Đức Anh", "Masculine", 1993, None, "VN"),
]

ROWS = [
    ("diacritics", "Pham Xuan Khoa", "M", "31", "Viet Nam", "vn1"),
    ("diacritics", "NGUYEN THI MAI", "F", "1998", "VNM", "vn2"),
    ("diacritics", "Dang Quang Huy", "Male", "20/03/1990", "Vietnam", "vn3"),
    ("order", "Nam Tran Van", "M", "1987", "VN", "vn4"),
    ("order", "Tak Gopal", "M", "32", "India", "in1"),
    ("ages", "Priya Sharma", "F", "28", "IND", "in2"),
    ("scripts", "Li Wei", "M", "1991", "China", "cn1"),
    ("traditional", "劉強", "男", "1985", "中国", "cn2"),
    ("joined", "Zhang Xiao Ming", "M", "1996", "CHN", "cn3"),
    ("scripts", "Ou Jiaming", "M", "1989", "China", "cn4"),
    ("scripts", "Wang Fang", "女", "1993", "CN", "cn5"),
    ("scripts", "Sompong Rakdee", "ชาย", "1988", "Thailand", "th1"),
    ("scripts", "สมชาย ใจดี", "M", "40", "ไทย", "th2"),
    ("zawgyi", "မင္းေအးျမတ္", "M", "1995", "Myanmar", "mm1"),
    ("honorifics", "Ko Aung Ko Ko", "M", "1997", "Burma", "mm2"),
    ("honorifics", "Daw Khin Su Naing", "F", "1990", "MMR", "mm3"),
    ("honorifics", "Mr Budi Santoso", "M", "1993", "Indonesia", "id1"),
    ("honorifics", "Ma. Maria Santos Reyes", "F", "1992", "Philippines", "ph1"),
    ("scripts", "Abebe Bekele", "M", "30", "Ethiopia", "et1"),
    ("diacritics", "Le Minh Tuan", "M", "1999-05-01", "Viet Nam", "vn5"),
    ("order", "Lan Hoang Thi", "F", "1996", "VN", "vn6"),
    ("scripts", "Chen Jing", "F", "1997", "China", "cn6"),
    ("order", "Dara Sok", "M", "1991", "Cambodia", "kh1"),
    ("typo", "Khamphon Sisavat", "M", "1990", "Laos", "la1"),
    ("typo", "Vu Duc Anh", "M", "1993", "VN", "vn7"),
    # Decoys: the same name as a case, but another person.
    ("decoy_birth_year", "Pham Xuan Khoa", "M", "1970", "VN", None),
    ("decoy_birth_year", "Li Wei", "M", "60", "China", None),
    ("decoy_sex", "Nguyen Thi Mai", "M", "1998", "VN", None),
    ("decoy_sex", "Wang Fang", "M", "1993", "CN", None),
    ("decoy_given_name", "Pham Xuan Hung", "M", "1994", "VN", None),
    ("decoy_given_name", "Tran Van Binh", "M", "1987", "VN", None),
    ("decoy_given_name", "Zhang Xiaohong", "M", "1996", "CN", None),
    ("unknown", "Nuon Sophea", "F", "25", "Cambodia", None),
    ("unknown", "Ahmed Karim", "M", "33", "Bangladesh", None),
]
